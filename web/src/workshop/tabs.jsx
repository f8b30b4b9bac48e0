// A row of tabs (WAI-ARIA tabs pattern): the chosen one in the focus
// order, the arrow keys, Home and End move between them and choose.
export function Tabs({ label, tabs, current, prefix, onChoose }) {
  const keys = (e, i) => {
    const n = tabs.length;
    const to = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i + n - 1) % n
      : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    onChoose(tabs[to][0]);
    document.getElementById(`${prefix}tab-${tabs[to][0]}`)?.focus();
  };
  return (
    <div role="tablist" aria-label={label} class="tabs">
      {tabs.map(([id, text], i) => (
        <button type="button" role="tab" id={`${prefix}tab-${id}`} aria-controls={`${prefix}panel-${id}`}
          aria-selected={current === id ? 'true' : 'false'} tabindex={current === id ? 0 : -1}
          onClick={() => onChoose(id)} onKeyDown={(e) => keys(e, i)}>
          {text}
        </button>
      ))}
    </div>
  );
}
