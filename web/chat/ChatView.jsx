// The conversation on screen: the messages both ways (role="log"), the
// marks on the visitor's own (sent, delivered, read), what waits in the
// outbox, the agent's typing and the wait (aria-live), the reply box (Enter
// sends, Shift+Enter is a new line) with the visitor's own typing; then,
// once ended, the transcript by email (when an agent answered) and the
// rating. The focus follows the visitor from one view to the next
// (useTakeFocus). The API's refusals are said in the visitor's language
// (errorText), never in its English.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Field, useTakeFocus } from './forms.jsx';
import { errorText } from './i18n.js';

const time = (at, lang) => {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  return Number.isFinite(ms) ? new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' }) : '';
};

function mark(conv, m) {
  if (m.id <= conv.marks.read) return 'read';
  if (m.id <= conv.marks.delivered) return 'delivered';
  return 'sent';
}

const size = (n, lang) => (n >= 1048576 ? `${(n / 1048576).toLocaleString(lang, { maximumFractionDigits: 1 })} MB`
  : `${Math.max(1, Math.round(n / 1024)).toLocaleString(lang)} KB`);

// why a file was refused, in the visitor's language
function fileError(t, lang, e, limits) {
  if (!e) return '';
  if (e.status === 413) return t('file.too_large', { max: size((limits && limits.max_bytes) || 0, lang) });
  if (e.status === 415) return t('file.type');
  if (e.code === 'too_many_attachments') return t('file.count');
  if (e.code === 'attachments_off') return t('file.off');
  if (e.code === 'ended') return t('file.ended');
  return e.status ? t('file.failed') : t('error.network');
}

function Attachment({ t, lang, conv, a }) {
  const [failed, setFailed] = useState(false);
  const get = () => conv.client.download(conv.id, a).then(() => setFailed(false), () => setFailed(true));
  return (
    <span class="file">
      <button type="button" class="link" onClick={get}>{t('file.download', { name: a.filename })}</button>
      {' '}<span class="size">({size(a.size, lang)})</span>
      {failed && <span role="alert" class="error"> {t('file.failed')}</span>}
    </span>
  );
}

// leave: when set ("message" or "callback", the channel's offline way), a
// visitor waiting while no agent serves the chat any more may end it and
// take that way instead (onLeave), rather than wait for nobody.
export function ChatView({ t, lang, conv, limits, leave, onLeave }) {
  const [text, setText] = useState('');
  const logRef = useRef(null);
  const replyRef = useRef(null);
  useTakeFocus(() => replyRef.current);
  const list = conv.list();
  const count = list.length + conv.outbox.length;
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count]);

  const send = (e) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    conv.send(body);
    setText('');
  };
  const onKey = (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) send(e);
  };
  const onInput = (e) => {
    setText(e.target.value);
    conv.typing(e.target.value.length > 0);
  };
  const canAttach = limits && limits.max_bytes > 0 && limits.types && limits.types.length > 0;
  const pick = (e) => {
    const file = e.target.files && e.target.files[0];
    e.target.value = '';
    if (file) conv.attach(file);
  };
  const w = conv.wait;
  // no expected wait: no agent serves the queue now (signed out, or gone mid-chat)
  const nobody = conv.state === 'waiting' && w && w.expected_s == null;
  let state = '';
  if (conv.state === 'waiting') state = !w ? t('wait.waiting') : nobody ? t('wait.nobody', { n: w.position })
    : t('wait.position', { n: w.position, m: Math.max(1, Math.round(w.expected_s / 60)) });
  else if (conv.state === 'assigned') state = conv.agent ? t('state.with', { agent: conv.agent }) : t('state.assigned');

  return (
    <div class="conversation">
      <p class="state" aria-live="polite">{state}</p>
      {nobody && leave && <button type="button" class="leave" onClick={onLeave}>{t(`wait.leave.${leave}`)}</button>}
      <div class="log" role="log" aria-label={t('log')} ref={logRef} tabindex="0">
        <ol>
          {list.map((m) => (
            <li class={`msg ${m.kind}`} data-id={m.id}>
              <span class="who">{m.kind === 'inbound' ? t('me') : (m.author || t('agent'))}</span>
              {m.attachment ? <Attachment t={t} lang={lang} conv={conv} a={m.attachment} />
                : <span class="body">{m.body}</span>}
              <span class="meta">
                {time(m.at, lang)}
                {m.kind === 'inbound' && <> · <span class="mark">{t(`mark.${mark(conv, m)}`)}</span></>}
              </span>
            </li>
          ))}
          {conv.outbox.map((m) => (
            <li class="msg inbound pending" data-client={m.client_id}>
              <span class="who">{t('me')}</span>
              <span class="body">{m.body}</span>
              <span class="meta">{conv.online ? t('mark.sending') : t('mark.offline')}</span>
            </li>
          ))}
        </ol>
      </div>
      <p class="typing" aria-live="polite">{conv.agentTyping ? t('typing', { agent: conv.agent || t('agent') }) : ''}</p>
      <p role="status" class="net">{conv.online ? '' : t('offline.net')}</p>
      {conv.error && <p role="alert" class="error">{errorText(t, conv.error)}</p>}
      <form class="composer" onSubmit={send}>
        <label for="reply">{t('reply')}</label>
        <textarea id="reply" ref={replyRef} rows="2" value={text} onInput={onInput} onKeyDown={onKey} maxLength={4000}
          aria-invalid={conv.error && conv.error.field === 'body' ? 'true' : undefined} />
        {canAttach && (
          <div class="attach">
            <label for="attach">{t('file.attach')}</label>
            <input type="file" id="attach" accept={limits.types.join(',')} onChange={pick}
              aria-describedby="attach-error" aria-invalid={conv.fileError ? 'true' : undefined} />
            <p id="attach-error" role="alert" class="error">{fileError(t, lang, conv.fileError, limits)}</p>
          </div>
        )}
        <div class="buttons">
          <button type="submit" class="primary">{t('send')}</button>
          <button type="button" onClick={() => conv.end().catch(() => {})}>{t('end')}</button>
        </div>
      </form>
    </div>
  );
}

// lang: the transcript is written in the visitor's language
function Transcript({ t, lang, conv, client }) {
  const [email, setEmail] = useState('');
  const [state, setState] = useState({ done: false, error: '' });
  const go = (e) => {
    e.preventDefault();
    client.call('POST', `/chats/${conv.id}/transcript`, { email: email.trim(), lang })
      .then(() => setState({ done: true, error: '' }), (err) => setState({ done: false, error: errorText(t, err) }));
  };
  if (state.done) return <p role="status" class="done">{t('transcript.done')}</p>;
  return (
    <form class="form" onSubmit={go} aria-labelledby="transcript-title">
      <h2 id="transcript-title">{t('transcript')}</h2>
      <Field id="transcript-email" label={t('field.email')} error={state.error}>
        <input type="email" autocomplete="email" value={email} onInput={(e) => setEmail(e.target.value)} required maxLength={254} />
      </Field>
      <button type="submit">{t('transcript.send')}</button>
    </form>
  );
}

function Rating({ t, conv, client }) {
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const [state, setState] = useState({ done: false, error: '' });
  const go = (e) => {
    e.preventDefault();
    if (!score) { setState({ done: false, error: t('rating.pick') }); return; }
    const body = comment.trim() ? { score, comment: comment.trim() } : { score };
    client.call('POST', `/chats/${conv.id}/rating`, body)
      .then(() => setState({ done: true, error: '' }), (err) => setState({ done: false, error: errorText(t, err) }));
  };
  if (state.done) return <p role="status" class="done">{t('rating.done')}</p>;
  return (
    <form class="form" onSubmit={go} aria-labelledby="rating-title">
      <h2 id="rating-title">{t('rating')}</h2>
      <fieldset class="stars">
        <legend>{t('rating.score')}</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <label><input type="radio" name="score" value={n} checked={score === n} onChange={() => setScore(n)} />
            {t('rating.n', { n })}</label>
        ))}
      </fieldset>
      <Field id="rating-comment" label={t('rating.comment')}>
        <textarea rows="2" value={comment} onInput={(e) => setComment(e.target.value)} maxLength={1000} />
      </Field>
      <p role="alert" class="error">{state.error}</p>
      <button type="submit" class="primary">{t('rating.send')}</button>
    </form>
  );
}

// whether an agent wrote in the chat: a transcript is mailed only then
const answered = (conv) => [...conv.messages.values()].some((m) => m.kind === 'outbound');

export function Ended({ t, lang, conv, client, onAgain }) {
  const heading = useRef(null);
  useTakeFocus(() => heading.current);
  return (
    <div class="ended">
      <div role="status"><h2 id="ended-title" tabIndex={-1} ref={heading}>{t('ended')}</h2></div>
      {answered(conv) && <Transcript t={t} lang={lang} conv={conv} client={client} />}
      <Rating t={t} conv={conv} client={client} />
      <button type="button" onClick={onAgain}>{t('again')}</button>
    </div>
  );
}
