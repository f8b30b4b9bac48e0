// Before an agent leaves a brand (Sign out, or the switch to another brand)
// while holding contacts: how many, and what becomes of them. The server
// signs the agent out of the brand (docs/api.md, "Sessions"): the offers
// ringing go back to their queues, and contacts held stay the agent's, the
// agent paused ("signed out"): their customers wait, a chat's with nobody
// answering, and while they are held no contact comes from another brand.
// "Stay" is the default; the way out is to finish or transfer them first.
// What the agent holds is read from the server when the button is pressed
// (GET /agents/me), so the warning is right on any page and after a reload.
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../api.js';
import './leaving.css';

// What the agent holds in this brand: {held: [{contact_id, channel}], offered}
// or null when nothing (or no agent profile here: nothing to warn about),
// or when another session of theirs lands in this brand (another window or
// device): the server keeps them at work then, nothing changes for their contacts.
export function holdings() {
  return api.agentMe().then((a) => {
    if (a && a.other_sessions) return null;
    const all = (a && a.live && a.live.contacts) || [];
    const held = all.filter((c) => c.state === 'assigned');
    const offered = all.filter((c) => c.state === 'offered').length;
    return held.length || offered ? { held, offered } : null;
  }, () => null); // never in the way of leaving: without an answer, no warning
}

// A modal dialog: focus on "Stay", kept inside (Tab and Shift+Tab go round),
// Escape stays; closed, the focus is back where it was (back: the control
// pressed). from: the brand left; to: the brand switched to, or none for
// Sign out.
export function Leaving({ t, holding, from, to, back, onStay, onLeave }) {
  const ref = useRef(null);
  const stay = useRef(null);
  const done = useRef(false); // answered: the close that follows is no second answer
  const answer = (fn) => () => {
    if (done.current) return;
    done.current = true;
    fn();
  };
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
    stay.current?.focus();
    return () => { // the page is no longer inert once the dialog is closed: only then can it take the focus
      done.current = true;
      if (dialog?.open) dialog.close();
      back?.focus();
    };
  }, []);
  const trap = (e) => {
    if (e.key !== 'Tab') return;
    const items = [...ref.current.querySelectorAll('button')];
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  };
  const { held, offered } = holding;
  const chats = held.filter((c) => c.channel === 'chat').length;
  const list = held.map((c) => t('leaving.item', { id: c.contact_id, channel: t(`channel.${c.channel}`).toLowerCase() }))
    .join(', ');
  return (
    // Escape: the dialog's own cancel, which closes it: that is Stay
    <dialog ref={ref} class="leaving" role="alertdialog" aria-modal="true" aria-labelledby="leaving-title"
      aria-describedby="leaving-what" onKeyDown={trap} onClose={answer(onStay)}>
      <h2 id="leaving-title">{t('leaving.title')}</h2>
      <div id="leaving-what">
        {held.length > 0 && <p>{t('leaving.held', { n: held.length, list })}</p>}
        {held.length > 0 && (
          <p>{to ? t('leaving.held_switch', { n: held.length, from, to })
            : t('leaving.held_logout', { n: held.length })}</p>
        )}
        {chats > 0 && <p>{t('leaving.chats', { n: chats })}</p>}
        {offered > 0 && <p>{t('leaving.offered', { n: offered })}</p>}
        {held.length > 0 && <p>{t('leaving.way_out', { n: held.length })}</p>}
      </div>
      <div class="buttons">
        <button type="button" class="primary" ref={stay} onClick={answer(onStay)}>{t('leaving.stay')}</button>
        <button type="button" onClick={answer(onLeave)}>
          {to ? t('leaving.switch', { brand: to }) : t('leaving.logout')}
        </button>
      </div>
    </dialog>
  );
}
