// The keyboard shortcuts: Alt with a key, so typing keeps every letter
// (WCAG 2.1.4), matched on the physical key (e.code) so they work on any
// layout; and their list, shown by Alt+K.
export const SHORTCUTS = [
  ['Alt+A', 'shortcut.accept', 'KeyA'],
  ['Alt+R', 'shortcut.reject', 'KeyR'],
  ['Alt+V', 'shortcut.available', 'KeyV'],
  ['Alt+P', 'shortcut.pause', 'KeyP'],
  ['Alt+1…9', 'shortcut.tab', null],
  ['Alt+M', 'shortcut.reply', 'KeyM'],
  ['Alt+Enter', 'shortcut.send', 'Enter'],
  ['Alt+W', 'shortcut.wrapup', 'KeyW'],
  ['Alt+G', 'shortcut.words', 'KeyG'],
  ['Alt+B', 'shortcut.back', 'KeyB'],
  ['Alt+O', 'shortcut.outcome', 'KeyO'],
  ['Alt+L', 'shortcut.escalate', 'KeyL'],
  ['Alt+H', 'shortcut.hold', 'KeyH'],
  ['Alt+J', 'shortcut.journey', 'KeyJ'],
  ['Alt+K', 'shortcut.list', 'KeyK'],
];

// The action name of a key event, or null.
export function shortcutOf(e) {
  if (!e.altKey || e.ctrlKey || e.metaKey) return null;
  if (/^Digit[1-9]$/.test(e.code)) return `tab${e.code.slice(5)}`;
  const found = SHORTCUTS.find((s) => s[2] === e.code);
  return found ? found[1].slice('shortcut.'.length) : null;
}

export function ShortcutList({ t, onClose }) {
  return (
    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title">
      <h2 id="shortcuts-title">{t('shortcuts.title')}</h2>
      <table>
        <tbody>
          {SHORTCUTS.map(([keys, label]) => (
            <tr><th scope="row"><kbd>{keys}</kbd></th><td>{t(label)}</td></tr>
          ))}
        </tbody>
      </table>
      <button type="button" autofocus onClick={onClose}>{t('shortcuts.close')}</button>
    </div>
  );
}
