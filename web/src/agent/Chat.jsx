// A web chat held by the agent, live: the messages of both sides as the
// contact's stream brings them (merged by id with the contact's own list,
// which also holds the notes), the visitor's typing, the visitor's read
// marks on the agent's messages. The agent's typing follows the reply box's
// text (on at the first key, off after 3 s without one or once sent);
// the visitor's messages on screen are marked read while the tab is shown.
// The notes guichet wrote (an escalation, a failed send) are in the page's language.
import { useEffect, useRef, useState } from 'preact/hooks';
import { chatApi, chatStream, isWebChat } from './chatcalls.js';
import { localNote } from '../i18n/errors.js';
import './chat.css';

const TYPING_IDLE_MS = 3000;

function useAgentTyping(id, text, on) {
  const typing = useRef(false);
  const timer = useRef(0);
  const set = (v) => {
    if (typing.current === v) return;
    typing.current = v;
    chatApi.typing(id, v).catch(() => {});
  };
  useEffect(() => {
    if (!on) return undefined;
    clearTimeout(timer.current);
    const writing = text.trim().length > 0;
    if (writing) timer.current = setTimeout(() => set(false), TYPING_IDLE_MS);
    set(writing);
    return undefined;
  }, [text, on]);
  useEffect(() => () => { clearTimeout(timer.current); if (typing.current) chatApi.typing(id, false).catch(() => {}); }, [id]);
}

export function Chat({ t, id, me, active, contact, text }) {
  const web = isWebChat(contact);
  const [live, setLive] = useState(() => new Map());
  const [visitorTyping, setVisitorTyping] = useState(false);
  const [read, setRead] = useState(0); // the visitor's read mark on the agent's messages
  const [ended, setEnded] = useState(false);
  const [fileError, setFileError] = useState('');
  const readPosted = useRef(0);
  const pick = (e) => {
    const file = e.target.files && e.target.files[0];
    e.target.value = '';
    if (!file) return;
    chatApi.attach(id, file).then((m) => {
      setFileError('');
      setLive((map) => new Map(map).set(m.id, m));
    }, (err) => setFileError(err.status === 413 ? t('chat.file.too_large') : err.status === 415 ? t('chat.file.type')
      : err.code === 'too_many_attachments' ? t('chat.file.count') : err.message || t('chat.file.failed')));
  };
  const logRef = useRef(null);

  useEffect(() => {
    if (!web) return undefined;
    return chatStream(id, {
      message: (m) => {
        setLive((map) => new Map(map).set(m.id, m));
        if (m.kind === 'inbound') setVisitorTyping(false);
      },
      typing: (d) => { if (d.from === 'visitor') setVisitorTyping(!!d.on); },
      mark: (d) => { if (d.by === 'visitor' && d.state === 'read') setRead((r) => Math.max(r, d.up_to)); },
      state: (d) => setEnded(d.state === 'ended'),
    });
  }, [id, web]);
  useAgentTyping(id, text, web && !ended);

  const byId = new Map();
  for (const m of contact?.messages || []) byId.set(m.id, m);
  for (const m of live.values()) byId.set(m.id, { ...byId.get(m.id), ...m });
  const list = [...byId.values()].sort((a, b) => a.id - b.id);
  // an answer another agent wrote (the level 1 before an escalation, a
  // colleague before a transfer) is theirs: the expert read 'You' beside
  // words they never wrote; one without an author (automatic) stays 'You'
  const mine = (m) => m.kind === 'outbound' && !(m.author_id && me && m.author_id !== me.user_id);

  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [list.length]);
  // what the agent sees is read
  useEffect(() => {
    if (!web || !active || document.visibilityState !== 'visible') return;
    let up = 0;
    for (const m of list) if (m.kind === 'inbound' && m.id > up) up = m.id;
    if (up <= readPosted.current) return;
    readPosted.current = up;
    chatApi.read(id, up).catch(() => { readPosted.current = 0; });
  });

  return (
    <>
      <div role="log" aria-live="polite" aria-labelledby={`messages-${id}`} class="messages chat-log" ref={logRef}>
        <ol>
          {list.map((m) => (
            <li class={`msg ${m.kind}`} data-id={m.id}>
              <strong>{t(`contact.kind.${mine(m) ? 'outbound' : m.kind === 'outbound' ? 'outbound_other' : m.kind}`)}</strong>{' '}
              {m.attachment ? (
                <a href={`/api/v1/attachments/${m.attachment.id}`} download={m.attachment.filename}>
                  {t('chat.download', { name: m.attachment.filename })}</a>
              ) : <span>{m.kind === 'note' ? localNote(m.body) : m.body}</span>}
              {web && m.kind === 'outbound' && m.id <= read && <span class="chat-read"> · {t('chat.read')}</span>}
            </li>
          ))}
        </ol>
      </div>
      {web && <p class="chat-typing" aria-live="polite">{visitorTyping ? t('chat.typing') : ''}</p>}
      {web && ended && <p role="status" class="chat-ended">{t('chat.ended')}</p>}
      {web && !ended && (
        <div class="chat-attach">
          <label for={`chat-file-${id}`}>{t('chat.attach')}</label>
          <input type="file" id={`chat-file-${id}`} onChange={pick} aria-describedby={`chat-file-error-${id}`} />
          <p id={`chat-file-error-${id}`} role="alert" class="error">{fileError}</p>
        </div>
      )}
    </>
  );
}
