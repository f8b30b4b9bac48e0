// The knowledge workshop (authors, reviewers, experts, tenant admins): the
// articles and diagnostic trees with their states, the editor with its
// checks, previews, review steps and versions, and the flags agents raised
// on one's items. Two tabs and one role="status" region for what an action
// changed; an error of the API shows at its field in the editor.
import { useEffect, useState } from 'preact/hooks';
import { List } from './List.jsx';
import { Editor } from './Editor.jsx';
import { Flags } from './Flags.jsx';
import { Tabs } from './tabs.jsx';
import { failed, inLanguage } from '../i18n/index.js';
import './workshop.css';

// route: an item's key from the address (#workshop/<key>, a link of
// another page): that item opens in the editor.
export function Workshop({ t, me, lang, route }) {
  const [tab, setTab] = useState('items');
  const [status, setStatus] = useState(''); // a function of t: said again after a switch
  const [open, setOpen] = useState(null); // {key} of an item, or {kind} of a new one
  const [listVersion, setListVersion] = useState(0);
  const say = (said) => setStatus(() => said);
  const fail = (e) => say((tr) => failed(tr, e));
  const tabs = [['items', t('ws.items')], ['flags', t('ws.flags')]];
  const openItem = (key) => { setOpen({ key }); setTab('items'); };
  useEffect(() => { if (route) openItem(route); }, [route]);
  const close = () => { setOpen(null); setListVersion((v) => v + 1); };
  return (
    <div class="workshop">
      <h1 class="visually-hidden">{t('ws.title')}</h1>
      <Tabs label={t('ws.title')} tabs={tabs} current={tab} prefix="w" onChoose={setTab} />
      <p role="status" class="status">{inLanguage(status, t)}</p>
      <div role="tabpanel" id={`wpanel-${tab}`} aria-labelledby={`wtab-${tab}`}>
        {tab === 'flags' ? <Flags t={t} me={me} say={say} fail={fail} onOpen={openItem} />
          : open ? <Editor key={open.key || `new-${open.kind}`} t={t} me={me} lang={lang} itemKey={open.key}
            kind={open.kind} say={say} fail={fail} onClose={close}
            onCreated={(key) => setOpen({ key })} />
            : <List key={listVersion} t={t} me={me} fail={fail} onOpen={openItem} onNew={(kind) => setOpen({ kind })} />}
      </div>
    </div>
  );
}
