// The supervisor's pages (supervisors and tenant admins): the live
// wallboard, the day so far per half hour, the summary kept current, the
// incidents and goodwill gestures waiting for approval, the reasons and
// outcomes, the voice of the customer, the callbacks, as tabs, with one
// role="status" region for what the supervisor's actions changed. An
// outsourcer's supervisor sees its own organisation's figures alone: no
// day of the whole brand (the summary per half hour is theirs). What the
// status says is a function of the translator where it can be, so that a
// switch of language says it again in the new one.
import { useState } from 'preact/hooks';
import { Wallboard } from './Wallboard.jsx';
import { Intervals } from './Intervals.jsx';
import { Incidents } from './Incidents.jsx';
import { Gestures } from './Gestures.jsx';
import { Summary } from './Summary.jsx';
import { Reasons } from './Reasons.jsx';
import { Voice } from './Voice.jsx';
import { Callbacks } from './Callbacks.jsx';
import { failed, inLanguage } from '../i18n/index.js';


export function Supervisor({ t, me, lang }) {
  const [tab, setTab] = useState('wallboard');
  const [status, setStatus] = useState(''); // a text, or a function of t
  const say = (said) => setStatus(() => said);
  const fail = (e) => say((tr) => failed(tr, e));
  const tabs = [['wallboard', t('super.wallboard')], ['day', t('day.title')], ['summary', t('sum.title')],
    ['incidents', t('inc.tab')], ['gestures', t('gst.tab')], ['reasons', t('rsn.tab')],
    ['voice', t('voc.tab')], ['callbacks', t('cbs.tab')]]
    .filter(([id]) => id !== 'day' || !me?.organisation_id); // the brand's whole day (403)
  // arrows, Home and End move between tabs (the ARIA tabs pattern)
  const onKey = (e) => {
    const i = tabs.findIndex(([id]) => id === tab);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const [id] = tabs[(next + tabs.length) % tabs.length];
    setTab(id);
    document.getElementById(`stab-${id}`)?.focus();
  };
  return (
    <div class="supervisor">
      <h1 class="visually-hidden">{t('super.title')}</h1>
      <div role="tablist" aria-label={t('super.title')} class="tabs" onKeyDown={onKey}>
        {tabs.map(([id, label]) => (
          <button type="button" role="tab" id={`stab-${id}`} aria-controls={`spanel-${id}`}
            aria-selected={tab === id ? 'true' : 'false'} tabindex={tab === id ? 0 : -1} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      <p role="status" class="status">{inLanguage(status, t)}</p>
      <div role="tabpanel" id={`spanel-${tab}`} aria-labelledby={`stab-${tab}`}>
        {tab === 'wallboard' ? <Wallboard t={t} lang={lang} say={say} fail={fail} />
          : tab === 'incidents' ? <Incidents t={t} lang={lang} say={say} fail={fail} />
          : tab === 'gestures' ? <Gestures t={t} lang={lang} say={say} fail={fail} brand={!me?.organisation_id} />
          : tab === 'summary' ? <Summary t={t} lang={lang} fail={fail} />
          : tab === 'reasons' ? <Reasons t={t} lang={lang} fail={fail} />
          : tab === 'voice' ? <Voice t={t} lang={lang} fail={fail} />
          : tab === 'callbacks' ? <Callbacks t={t} lang={lang} say={say} fail={fail} brand={!me?.organisation_id} />
          : <Intervals t={t} lang={lang} fail={fail} />}
      </div>
    </div>
  );
}
