// The agent's desktop: presence, live offers from the event stream, the
// accepted contacts each in a tab, and the keyboard shortcuts. What the
// screen says out loud goes to one role="status" region.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, events } from '../api.js';
import { PAUSE_REASONS, Presence } from './Presence.jsx';
import { Offers } from './Offers.jsx';
import { ContactTab } from './ContactTab.jsx';
import { HandedOver } from './HandedOver.jsx';
import { ShortcutList, shortcutOf } from './Shortcuts.jsx';
import { ring } from './sound.js';
import { callChanged } from './phonecalls.js';
import { failed, inLanguage } from '../i18n/index.js';

export function Agent({ t, me, lang }) {
  const [agent, setAgent] = useState(null);
  const [reason, setReason] = useState('break');
  const [offers, setOffers] = useState([]);
  const [tabs, setTabs] = useState([]);
  const [active, setActive] = useState(null);
  const [status, setStatus] = useState(''); // a text, or a function of (t, lang): said again in a new language
  const [now, setNow] = useState(Date.now());
  const [showKeys, setShowKeys] = useState(false);
  const replyRef = useRef(null);
  const tabsRef = useRef([]);
  tabsRef.current = tabs;
  const offersRef = useRef([]);
  offersRef.current = offers;
  const accepting = useRef(new Set()); // accepted from this screen: their tab opens there
  const actionsRef = useRef({});
  const say = (text) => setStatus(() => text);
  const fail = (e) => say((t) => failed(t, e));
  const [profile, setProfile] = useState(true);
  // what this desk handed over, kept for the tab's session (a reload keeps it)
  const handedKey = `guichet.handed.${me.tenant_id}.${me.user_id}`;
  const [handed, setHanded] = useState(() => {
    try { return JSON.parse(sessionStorage.getItem(handedKey)) || []; } catch { return []; }
  });
  const addHanded = (h) => setHanded((list) => {
    const next = [h, ...list.filter((x) => x.id !== h.id)].slice(0, 10);
    try { sessionStorage.setItem(handedKey, JSON.stringify(next)); } catch { /* kept on screen all the same */ }
    return next;
  });
  // a pause's own reason is the one shown (after a reload too), when it is one the agent may choose
  const refresh = () => api.agentMe().then((a) => {
    setAgent(a);
    if (a?.presence === 'paused' && PAUSE_REASONS.includes(a.reason)) setReason(a.reason);
    return a;
  },
    (e) => (e.status === 404 ? setProfile(false) : fail(e)));

  // the contacts the agent holds, each in its tab (what routing says, so a
  // stream caught up after a cut reopens nothing already let go)
  const adopt = (a) => {
    const held = (a && a.live && a.live.contacts) || [];
    const ids = held.filter((c) => c.state === 'assigned').map((c) => c.contact_id);
    setTabs((list) => [...list, ...ids.filter((id) => !list.includes(id))]);
    return held;
  };
  // what the agent already holds comes back on a reload, and each time the
  // desk's stream opens (an offer made before it first opened, or while it
  // was cut, is not lost): the contacts in their tabs, the offers with what
  // is left of their countdown
  const sync = () => refresh().then((a) => {
    const held = adopt(a);
    setOffers((list) => [...list, ...held.filter((c) => c.state === 'offered' && !list.some((o) => o.contact_id === c.contact_id))
      .map((c) => ({ ...c, deadline: c.offer_expires_at ? Date.parse(c.offer_expires_at) : 0 }))]);
  });
  useEffect(() => { sync(); }, []);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => events((type, ev) => {
    if (ev.agent_id && ev.agent_id !== me.user_id) return;
    if (type === 'call') callChanged(ev);
    if (type === 'offered') {
      const offer = { ...ev, deadline: ev.offer_timeout_s ? Date.now() + ev.offer_timeout_s * 1000 : 0 };
      setOffers((list) => [...list.filter((o) => o.contact_id !== ev.contact_id), offer]);
      say((t) => t('offers.arrived', { channel: t(`channel.${ev.channel}`), id: ev.contact_id, queue: ev.queue }));
      if (document.hidden) ring();
    } else if (['offer_expired', 'offer_withdrawn', 'rejected', 'accepted', 'abandoned', 'moved'].includes(type)) {
      setOffers((list) => list.filter((o) => o.contact_id !== ev.contact_id));
    }
    // the agent's state (offered, busy, wrap-up...) follows what rings and what it holds
    if (['presence', 'offered', 'offer_expired', 'offer_withdrawn', 'accepted', 'rejected', 'wrapup_ended', 'moved']
      .includes(type)) refresh();
    // accepted elsewhere (the agent answered the phone that rang): its tab opens
    if (type === 'accepted' && ev.agent_id === me.user_id && !tabsRef.current.includes(ev.contact_id)
      && !accepting.current.has(ev.contact_id)) {
      refresh().then((a) => {
        if (adopt(a).some((c) => c.contact_id === ev.contact_id && c.state === 'assigned'))
          say((t) => t('contacts.opened', { id: ev.contact_id }));
      });
    }
  }, undefined, () => { callChanged(null); sync(); }), [me.user_id]); // what changed while cut
  // (not opened again when the language changes: what it says is a function of t, given when said)

  // the offers the change brought usually come before its answer: the
  // status says them after the presence, not the presence alone over them
  // refused while at work for another brand: which, in words, and the way out
  // (the API's English said only to go offline there, which its contacts refuse)
  const presenceFailed = (e) => {
    const d = e.details || {};
    if (e.status === 409 && e.field === 'presence' && d.tenant)
      return say((t) => t('presence.elsewhere', { brand: d.tenant, presence: t(`presence.${d.presence}`).toLowerCase() }));
    return fail(e);
  };
  const setPresence = (p, why = reason) => api.presence(p, p === 'paused' ? why : undefined)
    .then(() => {
      const waiting = p === 'available' ? offersRef.current : [];
      const first = waiting[0];
      say((t) => (first ? t('presence.with_offers', { presence: t(`presence.${p}`), n: waiting.length,
        channel: t(`channel.${first.channel}`), id: first.contact_id, queue: first.queue }) : t(`presence.${p}`)));
      return refresh();
    }, presenceFailed);
  // another reason chosen during a pause changes the pause's
  const chooseReason = (r) => {
    setReason(r);
    if (agent?.presence === 'paused') setPresence('paused', r);
  };
  const accept = (id) => {
    accepting.current.add(id);
    return api.accept(id).then(() => {
      // said: by Alt+A nothing else told it, the status still read the offer's 'New offer'
      const at = tabsRef.current.indexOf(id);
      const n = (at >= 0 ? at : tabsRef.current.length) + 1;
      say((t) => t(n <= 9 ? 'offers.accepted' : 'offers.accepted_far', { id, n })); // Alt+1…9 reach the first nine
      setOffers((list) => list.filter((o) => o.contact_id !== id));
      setTabs((list) => (list.includes(id) ? list : [...list, id]));
      setActive(id);
    }, fail).finally(() => accepting.current.delete(id));
  };
  const reject = (id) => api.reject(id).then(() => {
    say((t) => t('offers.rejected', { id }));
    setOffers((list) => list.filter((o) => o.contact_id !== id));
  }, fail);
  const closed = (id) => {
    setTabs((list) => list.filter((x) => x !== id));
    setActive((cur) => (cur === id ? null : cur));
    refresh();
  };

  // the keys act on the desk as last drawn (its tabs, its language): the
  // listener, added once, calls the handler of the last render; one added
  // again after each render read the tabs of the render before until its
  // effect ran (Alt+2 as a second tab appeared did nothing)
  const onKey = (e) => {
    const action = shortcutOf(e);
    if (!action) return;
    e.preventDefault();
    const first = offersRef.current[0]; // the offers as they are now, not as at the last render's effect
    const tab = action.startsWith('tab') ? tabsRef.current[Number(action.slice(3)) - 1] : undefined;
    if (action === 'accept' && first) accept(first.contact_id);
    else if (action === 'reject' && first) reject(first.contact_id);
    else if (action === 'available') setPresence('available');
    else if (action === 'pause') setPresence('paused');
    else if (action === 'list') setShowKeys((v) => !v);
    else if (action === 'reply') replyRef.current?.focus();
    else if (action === 'send') actionsRef.current.send?.();
    else if (action === 'wrapup') actionsRef.current.wrapup?.();
    else if (action.startsWith('tab')) { if (tab) setActive(tab); }
    else actionsRef.current[action]?.(); // the open contact's own: diagnosis, hand-over, journey
  };
  const keyRef = useRef(onKey);
  keyRef.current = onKey;
  useEffect(() => {
    const listener = (e) => keyRef.current(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
  // closing the tab (or the browser) with a contact in hand: the browser's
  // own "Leave the page?" first. The desk's stream closes; after the grace
  // (--desk-grace) the agent is paused and these customers wait for them,
  // nobody else can take them. A reload within the grace loses nothing, but
  // the browser cannot tell a reload from a close. Offers alone go back to
  // their queues by themselves: no question for them.
  const holding = tabs.length > 0;
  useEffect(() => {
    if (!holding) return undefined;
    const ask = (e) => { e.preventDefault(); e.returnValue = ''; };
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [holding]);
  useEffect(() => {
    document.title = offers.length ? `(${offers.length}) ${t('app.name')}` : t('app.name');
  }, [offers.length, t]);

  const current = tabs.includes(active) ? active : tabs[0];
  // what to do about it: a new team's agents met the first sentence alone, with no word of who can fix it
  if (!profile) return <div role="status"><p>{t('agent.no_profile')}</p><p>{t('agent.no_profile_hint')}</p></div>;
  return (
    <div class="agent">
      <h1 class="visually-hidden">{t('app.name')}</h1>
      <p role="status" class="status">{inLanguage(status, t, lang)}</p>
      <div class="side">
        <Presence t={t} agent={agent} reason={reason} setReason={chooseReason} onSet={(p) => setPresence(p)} />
        <Offers t={t} offers={offers} now={now} onAccept={accept} onReject={reject} />
        <HandedOver t={t} me={me} items={handed} />
        <button type="button" class="link" onClick={() => setShowKeys(true)}>{t('shortcuts.open')}</button>
      </div>
      <section class="work" aria-labelledby="contacts-title">
        <h2 id="contacts-title">{t('contacts.title')}</h2>
        {tabs.length === 0 ? <p>{t('contacts.none')}</p> : (
          <>
            <div role="tablist" aria-labelledby="contacts-title" class="tabs">
              {tabs.map((id, i) => (
                <button type="button" role="tab" id={`tab-${id}`} aria-controls={`panel-${id}`}
                  aria-selected={id === current ? 'true' : 'false'} tabindex={id === current ? 0 : -1}
                  onClick={() => setActive(id)}>
                  {t('contacts.tab_label', { n: i + 1, id })}
                </button>
              ))}
            </div>
            {tabs.map((id) => (
              <ContactTab key={id} t={t} lang={lang} id={id} me={me} active={id === current} say={say} onClosed={closed}
                onHanded={addHanded}
                replyRef={replyRef} actionsRef={actionsRef} />
            ))}
          </>
        )}
      </section>
      {showKeys && <ShortcutList t={t} onClose={() => setShowKeys(false)} />}
    </div>
  );
}
