// One labelled control with its error under it (aria-invalid, and
// aria-describedby naming the error), used by every form of the workshop.
export function Field({ id, label, value, onInput, errors, multiline, list, type = 'text', rows, hint }) {
  const bad = errors && errors.length > 0;
  const described = [bad && `${id}-err`, hint && `${id}-hint`].filter(Boolean).join(' ') || undefined;
  const common = {
    id, value: value ?? '', 'aria-invalid': bad ? 'true' : undefined, 'aria-describedby': described,
    onInput: (e) => onInput(e.target.value),
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {multiline ? <textarea rows={rows || 3} {...common} /> : <input type={type} list={list} {...common} />}
      {hint && <span class="muted hint" id={`${id}-hint`}>{hint}</span>}
      {bad && <p class="error" id={`${id}-err`}>{errors.map((e) => e.text).join(' ')}</p>}
    </div>
  );
}

// A list of strings edited as one line each (steps) or comma-separated (tags).
export const lines = (text) => text.split('\n').map((s) => s.trim()).filter(Boolean);
export const words = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
