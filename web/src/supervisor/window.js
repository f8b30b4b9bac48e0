// A window over a long list of rows of one fixed height: only the rows on
// screen, and a margin above and below, are in the document; the rowgroup's
// padding stands for the others, so the scroll bar and the page's height
// stay those of the whole list. A thousand agents cost the comparison,
// style, layout and intersection checks of about forty rows. The window
// follows the page's scrolling (the document's or the wall screen's, any
// scroll event of the page) and its size, once per animation frame.
//
// What is lost, said in docs/benchmarks.md: the browser's find-in-page
// finds only the rows in the window, and a screen reader reads those,
// told by aria-rowcount and aria-rowindex where they stand in the whole.
// Keyboard focus moving to a row measures the window at once, not at the
// next animation frame, and the rows on either side of the focused one are
// always in the document: Tab and Shift+Tab walk through every row however
// fast the keys come and however late the frames (a busy machine). The row
// holding the focus stays in the document when the page scrolls away from
// it (the window then reaches from it to the screen), so the focus is never
// lost.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

// Rows rendered beyond the screen on each side: enough that Tab always
// finds the next row in the document, and a fast scroll rarely shows a gap.
export const MARGIN = 8;
// Rows rendered before the first measurement (no row height yet).
export const FIRST_ROWS = 40;

// The rows [first, last) to render of count rows of height rowHeight whose
// list starts top pixels above the top of a screen height pixels high
// (top is negative when the list starts below the screen's top).
export function rowRange(top, height, rowHeight, count, margin = MARGIN) {
  if (!(rowHeight > 0)) return { first: 0, last: Math.min(count, FIRST_ROWS) };
  const first = Math.max(0, Math.min(count, Math.floor(top / rowHeight) - margin));
  const last = Math.max(first, Math.min(count, Math.ceil((top + height) / rowHeight) + margin));
  return { first, last };
}

// The range stretched to hold row (an index, or null for none) and the rows
// on either side of it, where the focus goes next.
export function withRow(range, row, count) {
  if (row === null || row < 0 || row >= count) return range;
  return { first: Math.min(range.first, Math.max(0, row - 1)), last: Math.max(range.last, Math.min(count, row + 2)) };
}

// The window of a list of count rows: a ref for its rowgroup (whose
// [role=row] children are the rows rendered), the range to render, and
// the rowgroup's padding for the rows left out. layout changes when
// something other than a scroll changes the rows' height (the wall screen).
export function useRowWindow(count, layout) {
  const group = useRef(null);
  const rowHeight = useRef(0);
  const measured = useRef(null);
  const focused = useRef(null); // the index of the row holding the focus
  const [range, setRange] = useState(() => rowRange(0, 0, 0, count));
  useLayoutEffect(() => {
    const el = group.current;
    let frame = 0;
    const measure = () => {
      frame = 0;
      const row = el.querySelector('[role="row"][aria-rowindex]');
      if (row) rowHeight.current = row.getBoundingClientRect().height;
      const top = -el.getBoundingClientRect().top;
      const next = withRow(rowRange(top, window.innerHeight, rowHeight.current, count), focused.current, count);
      setRange((r) => (r.first === next.first && r.last === next.last ? r : next));
    };
    const later = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    const focusIn = (e) => {
      const row = e.target.closest('[aria-rowindex]');
      focused.current = row ? Number(row.getAttribute('aria-rowindex')) - 2 : null;
      if (frame) cancelAnimationFrame(frame);
      measure(); // rendered before the next key's event
    };
    const focusOut = (e) => {
      if (el.contains(e.relatedTarget)) return;
      focused.current = null;
      later();
    };
    measured.current = measure;
    measure();
    window.addEventListener('scroll', later, { capture: true, passive: true });
    window.addEventListener('resize', later);
    el.addEventListener('focusin', focusIn);
    el.addEventListener('focusout', focusOut);
    return () => {
      if (frame) cancelAnimationFrame(frame);
      window.removeEventListener('scroll', later, { capture: true });
      window.removeEventListener('resize', later);
      el.removeEventListener('focusin', focusIn);
      el.removeEventListener('focusout', focusOut);
    };
  }, [count, layout]);
  // the first rows rendered give the height: measured once they are there
  useLayoutEffect(() => {
    if (!rowHeight.current && range.last > 0 && measured.current) measured.current();
  });
  const first = Math.min(range.first, count);
  const last = Math.min(Math.max(range.last, first), count);
  const h = rowHeight.current;
  const style = h > 0 ? { paddingTop: `${first * h}px`, paddingBottom: `${(count - last) * h}px` } : undefined;
  return { group, first, last, style };
}
