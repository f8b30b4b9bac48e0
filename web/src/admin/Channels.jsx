// The tenant's channels in one tab of the console: email mailboxes, web chat channels (the
// key and the launcher's snippet to copy; the secret that signs verified
// customers shown once, at creation and on rotation), SMS and social
// channels (the webhook_url to give the provider), the help centre's
// settings (with a link to /help/{tenant}) and the callback settings. Each
// form shows the API's errors at the field they name (form.jsx).
import { useEffect, useState } from 'preact/hooks';
import { admin } from './calls.js';
import { Field, FormError, useSubmit } from './form.jsx';
import { FILE_TYPES, LEVELS, channels, snippet } from './channelcalls.js';
import './channels.css';

// What to do first when a channel's queue list is empty: a new brand's
// administrator met an empty choice and no word of where queues are made.
function noQueue(t, queues, channel) {
  return queues.some((q) => q.channel === channel) ? undefined : t('chn.no_queue', { channel: t(`channel.${channel}`) });
}

function Copy({ t, id, label, value, say }) {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      say((tr) => tr('chn.copied'));
    } catch {
      document.getElementById(id)?.select();
      say((tr) => tr('admin.tokens.copy_by_hand'));
    }
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <div class="inline">
        <input id={id} readonly size="60" value={value} onFocus={(e) => e.target.select()} />
        <button type="button" onClick={copy}>{t('admin.tokens.copy')}<span class="visually-hidden"> ({label})</span></button>
      </div>
    </div>
  );
}

function Secret({ t, made, say }) {
  return (
    <div class="new-token" role="group" aria-labelledby="chn-once">
      <p id="chn-once"><strong>{t('chn.chat.secret_once', { name: made.name })}</strong></p>
      <Copy t={t} id="chn-secret" label={t('chn.chat.secret')} value={made.secret} say={say} />
    </div>
  );
}

function ChatChannels({ t, queues, say, fail, confirm, onChange }) {
  const empty = { name: '', queue_id: '', origins: '', pname: 'off', pemail: 'off', topics: '', omessage: false, ocallback: false,
    fmax: '10', fcount: '10', ftypes: [...FILE_TYPES] };
  const [list, setList] = useState(null);
  const [v, setV] = useState(empty);
  const [made, setMade] = useState(null);
  const [editing, setEditing] = useState(null); // the channel the form changes, or null: a new one
  const { err, busy, run } = useSubmit();
  const reload = () => channels.chats().then((r) => { setList(r.items); onChange(r.items); }, fail);
  useEffect(() => { reload(); }, []);
  const set = (k) => (e) => setV({ ...v, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const shown = (c) => { setMade(c); setTimeout(() => document.getElementById('chn-secret')?.focus(), 0); };
  const toggleType = (type) => (e) => setV({ ...v, ftypes: e.target.checked ? [...v.ftypes, type] : v.ftypes.filter((x) => x !== type) });
  const edit = (c) => {
    const a = c.attachments || { max_bytes: 10 * 1048576, per_chat: 10, types: FILE_TYPES };
    setV({ name: c.name, queue_id: String(c.queue_id), origins: (c.origins || []).join('\n'), pname: c.prechat?.name || 'off',
      pemail: c.prechat?.email || 'off', topics: (c.prechat?.topics || []).join(', '), omessage: !!c.offline?.message,
      ocallback: !!c.offline?.callback, fmax: String(Math.round((a.max_bytes / 1048576) * 10) / 10), fcount: String(a.per_chat),
      ftypes: [...a.types] });
    setEditing(c);
    setMade(null);
    setTimeout(() => document.getElementById('chat-name')?.focus(), 0);
  };
  const stopEditing = () => { setEditing(null); setV(empty); };
  const create = (e) => {
    e.preventDefault();
    const mb = Number(v.fmax);
    const body = { name: v.name, queue_id: v.queue_id ? Number(v.queue_id) : null,
      origins: v.origins.split(/[\s,]+/).filter(Boolean),
      prechat: { name: v.pname, email: v.pemail, topics: v.topics.split(',').map((s) => s.trim()).filter(Boolean) },
      offline: { message: v.omessage, callback: v.ocallback },
      attachments: { max_bytes: Number.isFinite(mb) ? Math.round(mb * 1048576) : -1, per_chat: Number(v.fcount),
        types: FILE_TYPES.filter((x) => v.ftypes.includes(x)) } };
    run(async () => {
      if (editing) {
        const c = await channels.updateChat(editing.id, body);
        stopEditing();
        say((tr) => tr('chn.updated', { name: c.name }));
      } else {
        const c = await channels.createChat(body);
        setV(empty);
        say((tr) => tr('chn.created', { name: c.name }));
        shown(c);
      }
      reload();
    });
  };
  const rotate = async (c) => {
    if (await confirm(t('chn.chat.rotate_ask', { name: c.name }), t('chn.chat.rotate')))
      channels.rotateChat(c.id).then((r) => { say((tr) => tr('chn.chat.rotated', { name: c.name })); shown({ ...r, name: c.name }); }, fail);
  };
  const remove = async (c) => {
    if (await confirm(t('chn.remove_ask', { name: c.name }), t('chn.remove')))
      channels.removeChat(c.id).then(() => { say((tr) => tr('chn.removed', { name: c.name })); setMade(null); reload(); }, fail);
  };
  const fields = ['name', 'queue_id', 'origins', 'prechat.name', 'prechat.email', 'prechat.topics', 'offline',
    'attachments', 'attachments.max_bytes', 'attachments.per_chat', 'attachments.types'];
  return (
    <section class="admin-section split" aria-labelledby="chn-chat-title">
      <form class="admin-form" onSubmit={create} noValidate>
        <h2 id="chn-chat-title">{editing ? t('chn.chat.edit_title', { name: editing.name }) : t('chn.chat.title')}</h2>
        <Field id="chat-name" name="name" label={t('chn.name')} err={err}>
          {(p) => <input {...p} value={v.name} onInput={set('name')} />}
        </Field>
        <Field id="chat-queue" name="queue_id" label={t('chn.queue')} err={err} hint={noQueue(t, queues, 'chat')}>
          {(p) => <select {...p} value={v.queue_id} onChange={set('queue_id')}>
            <option value="">{t('chn.choose')}</option>
            {queues.filter((q) => q.channel === 'chat').map((q) => <option value={q.id}>{q.name}</option>)}
          </select>}
        </Field>
        <Field id="chat-origins" name="origins" label={t('chn.chat.origins')} err={err} hint={t('chn.chat.origins_hint')}>
          {(p) => <textarea {...p} rows="2" value={v.origins} onInput={set('origins')} />}
        </Field>
        <Field id="chat-pname" name="prechat.name" label={t('chn.chat.prechat_name')} err={err}>
          {(p) => <select {...p} value={v.pname} onChange={set('pname')}>
            {LEVELS.map((l) => <option value={l}>{t(`chn.level.${l}`)}</option>)}</select>}
        </Field>
        <Field id="chat-pemail" name="prechat.email" label={t('chn.chat.prechat_email')} err={err}>
          {(p) => <select {...p} value={v.pemail} onChange={set('pemail')}>
            {LEVELS.map((l) => <option value={l}>{t(`chn.level.${l}`)}</option>)}</select>}
        </Field>
        <Field id="chat-topics" name="prechat.topics" label={t('chn.chat.topics')} err={err} hint={t('chn.chat.topics_hint')}>
          {(p) => <input {...p} value={v.topics} onInput={set('topics')} />}
        </Field>
        <div class="inline">
          <input id="chat-omessage" type="checkbox" checked={v.omessage} onChange={set('omessage')} />
          <label for="chat-omessage">{t('chn.chat.offline_message')}</label>
        </div>
        <div class="inline">
          <input id="chat-ocallback" type="checkbox" checked={v.ocallback} onChange={set('ocallback')} />
          <label for="chat-ocallback">{t('chn.chat.offline_callback')}</label>
        </div>
        <Field id="chat-fmax" name="attachments.max_bytes" label={t('chn.chat.file_max')} err={err} hint={t('chn.chat.file_max_hint')}>
          {(p) => <input {...p} type="number" min="0" max="25" step="0.1" value={v.fmax} onInput={set('fmax')} />}
        </Field>
        <Field id="chat-fcount" name="attachments.per_chat" label={t('chn.chat.file_count')} err={err}>
          {(p) => <input {...p} type="number" min="0" max="100" value={v.fcount} onInput={set('fcount')} />}
        </Field>
        <fieldset class="chn-types">
          <legend>{t('chn.chat.file_types')}</legend>
          {FILE_TYPES.map((type, i) => (
            <div class="inline">
              <input id={`chat-ftype-${i}`} type="checkbox" checked={v.ftypes.includes(type)} onChange={toggleType(type)} />
              <label for={`chat-ftype-${i}`}>{t(`chn.chat.type.${type}`)}</label>
            </div>
          ))}
        </fieldset>
        <FormError err={err} fields={fields} />
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy}>{editing ? t('chn.save') : t('chn.chat.create')}</button>
          {editing && <button type="button" onClick={stopEditing}>{t('chn.cancel')}</button>}
        </div>
      </form>
      {made && <Secret t={t} made={made} say={say} />}
      <ul class="chn-list" aria-label={t('chn.chat.list')}>
        {(list || []).map((c) => (
          <li data-chat={c.id} class="chn">
            <h3>{c.name}</h3>
            <p class="muted">{t('chn.chat.summary', { queue: queues.find((q) => q.id === c.queue_id)?.name || '-',
              origins: (c.origins || []).join(', ') })}</p>
            <Copy t={t} id={`chat-key-${c.id}`} label={t('chn.chat.key', { name: c.name })} value={c.key} say={say} />
            <Copy t={t} id={`chat-snippet-${c.id}`} label={t('chn.chat.snippet', { name: c.name })}
              value={snippet(location.origin, c.key)} say={say} />
            <div class="buttons">
              <button type="button" onClick={() => edit(c)}>{t('chn.edit')}<span class="visually-hidden"> ({c.name})</span></button>
              <button type="button" onClick={() => rotate(c)}>{t('chn.chat.rotate')}<span class="visually-hidden"> ({c.name})</span></button>
              <button type="button" class="danger" onClick={() => remove(c)}>{t('chn.remove')}<span class="visually-hidden"> ({c.name})</span></button>
            </div>
          </li>
        ))}
      </ul>
      {list && !list.length && <p>{t('chn.none')}</p>}
    </section>
  );
}

// The tenant's email mailboxes: where its mail is fetched (IMAP) and its
// replies sent (SMTP), and the queue its contacts go to. The password is
// typed once: the API never answers it, and the form forgets it once saved.
// Test logs in to the IMAP server now and says the server's answer at the
// mailbox.
function Mailboxes({ t, queues, say, fail, confirm }) {
  const empty = { name: '', from_name: '', address: '', imap_url: '', username: '', password: '', smtp_url: '', queue_id: '' };
  const [list, setList] = useState(null);
  const [v, setV] = useState(empty);
  const [tested, setTested] = useState({}); // mailbox id -> {ok, message}
  const { err, busy, run } = useSubmit();
  const reload = () => channels.mailboxes().then((r) => setList(r.items), fail);
  useEffect(() => { reload(); }, []);
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  const create = (e) => {
    e.preventDefault();
    const body = { name: v.name, address: v.address, imap_url: v.imap_url, username: v.username, password: v.password };
    if (v.smtp_url) body.smtp_url = v.smtp_url;
    if (v.queue_id) body.queue_id = Number(v.queue_id);
    if (v.from_name.trim()) body.from_name = v.from_name.trim();
    run(async () => {
      const m = await channels.createMailbox(body);
      setV(empty);
      say((tr) => tr('chn.mail.created', { name: m.name }));
      reload();
    });
  };
  const test = (m) => {
    setTested({ ...tested, [m.id]: { busy: true, message: t('chn.mail.testing') } });
    channels.testMailbox(m.id).then(
      () => setTested((x) => ({ ...x, [m.id]: { ok: true, message: t('chn.mail.test_ok', { name: m.name }) } })),
      (e) => setTested((x) => ({ ...x, [m.id]: { ok: false, message: t('chn.mail.test_failed', { name: m.name, why: e.message }) } })));
  };
  const remove = async (m) => {
    if (await confirm(t('chn.mail.remove_ask', { name: m.name }), t('chn.remove')))
      channels.removeMailbox(m.id).then(() => { say((tr) => tr('chn.removed', { name: m.name })); reload(); }, fail);
  };
  const queueName = (id) => queues.find((q) => q.id === id)?.name;
  const fields = ['name', 'from_name', 'address', 'imap_url', 'username', 'password', 'smtp_url', 'queue_id'];
  return (
    <section class="admin-section split" aria-labelledby="chn-mail-title">
      <form class="admin-form" onSubmit={create} noValidate>
        <h2 id="chn-mail-title">{t('chn.mail.title')}</h2>
        <Field id="mail-name" name="name" label={t('chn.name')} err={err}>
          {(p) => <input {...p} value={v.name} onInput={set('name')} />}
        </Field>
        <Field id="mail-from" name="from_name" label={t('chn.mail.from_name')} err={err} hint={t('chn.mail.from_name_hint')}>
          {(p) => <input {...p} maxLength="100" placeholder="Acme Support" value={v.from_name} onInput={set('from_name')} />}
        </Field>
        <Field id="mail-address" name="address" label={t('chn.mail.address')} err={err}>
          {(p) => <input {...p} type="email" value={v.address} onInput={set('address')} />}
        </Field>
        <Field id="mail-imap" name="imap_url" label={t('chn.mail.imap_url')} err={err} hint={t('chn.mail.imap_hint')}>
          {(p) => <input {...p} type="url" placeholder="imaps://imap.example.com/INBOX" value={v.imap_url} onInput={set('imap_url')} />}
        </Field>
        <Field id="mail-user" name="username" label={t('chn.mail.username')} err={err}>
          {(p) => <input {...p} autocomplete="off" value={v.username} onInput={set('username')} />}
        </Field>
        <Field id="mail-password" name="password" label={t('chn.mail.password')} err={err} hint={t('chn.mail.password_hint')}>
          {(p) => <input {...p} type="password" autocomplete="new-password" value={v.password} onInput={set('password')} />}
        </Field>
        <Field id="mail-smtp" name="smtp_url" label={t('chn.mail.smtp_url')} err={err} hint={t('chn.mail.smtp_hint')}>
          {(p) => <input {...p} type="url" placeholder="smtps://smtp.example.com" value={v.smtp_url} onInput={set('smtp_url')} />}
        </Field>
        <Field id="mail-queue" name="queue_id" label={t('chn.queue')} err={err} hint={noQueue(t, queues, 'email')}>
          {(p) => <select {...p} value={v.queue_id} onChange={set('queue_id')}>
            <option value="">{t('chn.choose')}</option>
            {queues.filter((q) => q.channel === 'email').map((q) => <option value={q.id}>{q.name}</option>)}
          </select>}
        </Field>
        <FormError err={err} fields={fields} />
        <button type="submit" class="primary" disabled={busy}>{t('chn.mail.create')}</button>
      </form>
      <ul class="chn-list" aria-label={t('chn.mail.list')}>
        {(list || []).map((m) => (
          <li data-mailbox={m.id} class="chn">
            <h3>{m.name}</h3>
            <p class="muted">{t('chn.mail.summary', { address: m.address, username: m.username })}</p>
            <p class="muted">{m.from_name ? t('chn.mail.sent_as', { from: `${m.from_name} <${m.address}>` }) : t('chn.mail.sent_as_tenant')}</p>
            <p class="muted">{m.imap_url}{m.smtp_url ? ` · ${m.smtp_url}` : ` · ${t('chn.mail.no_smtp')}`}</p>
            <p class="muted">{m.queue_id ? t('chn.mail.to_queue', { queue: queueName(m.queue_id) || `#${m.queue_id}` }) : t('chn.mail.no_queue')}</p>
            <p class={tested[m.id] && tested[m.id].ok === false ? 'error' : ''} role={tested[m.id] && tested[m.id].ok === false ? 'alert' : 'status'}>
              {tested[m.id] ? tested[m.id].message : ''}
            </p>
            <div class="buttons">
              <button type="button" onClick={() => test(m)} disabled={tested[m.id]?.busy}>
                {t('chn.mail.test')}<span class="visually-hidden"> ({m.name})</span></button>
              <button type="button" class="danger" onClick={() => remove(m)}>{t('chn.remove')}<span class="visually-hidden"> ({m.name})</span></button>
            </div>
          </li>
        ))}
      </ul>
      {list && !list.length && <p>{t('chn.mail.none')}</p>}
    </section>
  );
}

function MessagingChannels({ t, queues, say, fail, confirm }) {
  const empty = { name: '', provider: 'twilio', kind: 'sms', public_url: location.origin, address: '', secret: '',
    account: '', api_url: '', queue_id: '' };
  const [list, setList] = useState(null);
  const [v, setV] = useState(empty);
  const [editing, setEditing] = useState(null); // the channel the form changes, or null: a new one
  const { err, busy, run } = useSubmit();
  const reload = () => channels.messaging().then((r) => setList(r.items), fail);
  useEffect(() => { reload(); }, []);
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  const edit = (c) => {
    setV({ name: c.name, provider: c.provider, kind: c.kind, public_url: c.public_url || location.origin, address: c.address || '',
      secret: '', account: c.account || '', api_url: c.api_url || '', queue_id: c.queue_id ? String(c.queue_id) : '' });
    setEditing(c);
    setTimeout(() => document.getElementById('msg-name')?.focus(), 0);
  };
  const stopEditing = () => { setEditing(null); setV(empty); };
  const create = (e) => {
    e.preventDefault();
    if (editing) {
      // the secret only when a new one is typed (blank keeps it); the provider and kind stay
      const body = { name: v.name, public_url: v.public_url, address: v.address, queue_id: v.queue_id ? Number(v.queue_id) : null };
      if (v.secret) body.secret = v.secret;
      if (v.api_url) body.api_url = v.api_url;
      if (v.provider === 'twilio' && v.account) body.account = v.account;
      run(async () => {
        const c = await channels.updateMessaging(editing.id, body);
        stopEditing();
        say((tr) => tr('chn.updated', { name: c.name }));
        reload();
      });
      return;
    }
    const body = { name: v.name, provider: v.provider, kind: v.kind, public_url: v.public_url, address: v.address, secret: v.secret };
    if (v.account) body.account = v.account;
    if (v.api_url) body.api_url = v.api_url;
    if (v.queue_id) body.queue_id = Number(v.queue_id);
    run(async () => {
      const c = await channels.createMessaging(body);
      setV(empty);
      say((tr) => tr('chn.created', { name: c.name }));
      reload();
    });
  };
  const remove = async (c) => {
    if (await confirm(t('chn.remove_ask', { name: c.name }), t('chn.remove')))
      channels.removeMessaging(c.id).then(() => { say((tr) => tr('chn.removed', { name: c.name })); reload(); }, fail);
  };
  const fields = ['name', 'provider', 'kind', 'public_url', 'address', 'secret', 'account', 'api_url', 'queue_id'];
  return (
    <section class="admin-section split" aria-labelledby="chn-msg-title">
      <form class="admin-form" onSubmit={create} noValidate>
        <h2 id="chn-msg-title">{editing ? t('chn.msg.edit_title', { name: editing.name }) : t('chn.msg.title')}</h2>
        <Field id="msg-name" name="name" label={t('chn.name')} err={err}>
          {(p) => <input {...p} value={v.name} onInput={set('name')} />}
        </Field>
        <Field id="msg-provider" name="provider" label={t('chn.msg.provider')} err={err}>
          {(p) => <select {...p} value={v.provider} onChange={set('provider')} disabled={!!editing}>
            <option value="twilio">Twilio</option><option value="generic">{t('chn.msg.generic')}</option></select>}
        </Field>
        <Field id="msg-kind" name="kind" label={t('chn.msg.kind')} err={err}>
          {(p) => <select {...p} value={v.kind} onChange={set('kind')} disabled={!!editing}>
            <option value="sms">{t('chn.msg.sms')}</option><option value="social">{t('chn.msg.social')}</option></select>}
        </Field>
        <Field id="msg-public" name="public_url" label={t('chn.msg.public_url')} err={err} hint={t('chn.msg.public_hint')}>
          {(p) => <input {...p} type="url" value={v.public_url} onInput={set('public_url')} />}
        </Field>
        <Field id="msg-address" name="address" label={t('chn.msg.address')} err={err}>
          {(p) => <input {...p} value={v.address} onInput={set('address')} />}
        </Field>
        <Field id="msg-secret" name="secret" label={t('chn.msg.secret')} err={err} hint={editing ? t('chn.msg.secret_keep') : undefined}>
          {(p) => <input {...p} type="password" autocomplete="off" value={v.secret} onInput={set('secret')} />}
        </Field>
        {v.provider === 'twilio' && <Field id="msg-account" name="account" label={t('chn.msg.account')} err={err}>
          {(p) => <input {...p} value={v.account} onInput={set('account')} />}
        </Field>}
        <Field id="msg-api" name="api_url" label={t('chn.msg.api_url')} err={err}>
          {(p) => <input {...p} type="url" value={v.api_url} onInput={set('api_url')} />}
        </Field>
        <Field id="msg-queue" name="queue_id" label={t('chn.queue')} err={err} hint={noQueue(t, queues, v.kind)}>
          {(p) => <select {...p} value={v.queue_id} onChange={set('queue_id')}>
            <option value="">{t('chn.choose')}</option>
            {queues.filter((q) => q.channel === v.kind).map((q) => <option value={q.id}>{q.name}</option>)}
          </select>}
        </Field>
        <FormError err={err} fields={fields} />
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy}>{editing ? t('chn.save') : t('chn.msg.create')}</button>
          {editing && <button type="button" onClick={stopEditing}>{t('chn.cancel')}</button>}
        </div>
      </form>
      <ul class="chn-list" aria-label={t('chn.msg.list')}>
        {(list || []).map((c) => (
          <li data-messaging={c.id} class="chn">
            <h3>{c.name}</h3>
            <p class="muted">{t('chn.msg.summary', { provider: c.provider, kind: t(`chn.msg.${c.kind}`), address: c.address })}</p>
            <Copy t={t} id={`msg-hook-${c.id}`} label={t('chn.msg.webhook', { name: c.name })} value={c.webhook_url} say={say} />
            <div class="buttons">
              <button type="button" onClick={() => edit(c)}>{t('chn.edit')}<span class="visually-hidden"> ({c.name})</span></button>
              <button type="button" class="danger" onClick={() => remove(c)}>{t('chn.remove')}<span class="visually-hidden"> ({c.name})</span></button>
            </div>
          </li>
        ))}
      </ul>
      {list && !list.length && <p>{t('chn.none')}</p>}
    </section>
  );
}

function Portal({ t, me, queues, chats, say, fail }) {
  const [v, setV] = useState(null);
  const { err, busy, run } = useSubmit();
  useEffect(() => {
    channels.portal().then((p) => setV({ enabled: !!p.enabled, title: p.title || '', lang: p.lang || 'fr', phone: p.phone || '',
      email: p.email || '', chat_key: p.chat_key || '', callback: !!p.callback, queue_id: p.queue_id ? String(p.queue_id) : '' }), fail);
  }, []);
  if (!v) return null;
  const set = (k) => (e) => setV({ ...v, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const save = (e) => {
    e.preventDefault();
    const body = { enabled: v.enabled, callback: v.callback, lang: v.lang };
    for (const k of ['title', 'phone', 'email', 'chat_key']) if (v[k]) body[k] = v[k];
    if (v.queue_id) body.queue_id = Number(v.queue_id);
    run(async () => { await channels.setPortal(body); say((tr) => tr('chn.portal.saved')); });
  };
  return (
    <section class="admin-section" aria-labelledby="chn-portal-title">
      <form class="admin-form" onSubmit={save} noValidate>
        <h2 id="chn-portal-title">{t('chn.portal.title')}</h2>
        <p><a href={`/help/${me.tenant_id}`} target="_blank" rel="noopener">{t('chn.portal.open')}</a></p>
        <div class="inline">
          <input id="portal-enabled" type="checkbox" checked={v.enabled} onChange={set('enabled')} />
          <label for="portal-enabled">{t('chn.portal.enabled')}</label>
        </div>
        <Field id="portal-title" name="title" label={t('chn.portal.page_title')} err={err}>
          {(p) => <input {...p} value={v.title} onInput={set('title')} />}
        </Field>
        <Field id="portal-lang" name="lang" label={t('chn.portal.lang')} err={err}>
          {(p) => <select {...p} value={v.lang} onChange={set('lang')}><option value="fr">Français</option><option value="en">English</option></select>}
        </Field>
        <Field id="portal-phone" name="phone" label={t('chn.portal.phone')} err={err}>
          {(p) => <input {...p} type="tel" value={v.phone} onInput={set('phone')} />}
        </Field>
        <Field id="portal-email" name="email" label={t('chn.portal.email')} err={err}>
          {(p) => <input {...p} type="email" value={v.email} onInput={set('email')} />}
        </Field>
        <Field id="portal-chat" name="chat_key" label={t('chn.portal.chat')} err={err}>
          {(p) => <select {...p} value={v.chat_key} onChange={set('chat_key')}>
            <option value="">{t('chn.portal.no_chat')}</option>
            {chats.map((c) => <option value={c.key}>{c.name}</option>)}</select>}
        </Field>
        <div class="inline">
          <input id="portal-callback" type="checkbox" checked={v.callback} onChange={set('callback')} />
          <label for="portal-callback">{t('chn.portal.callback')}</label>
        </div>
        <Field id="portal-queue" name="queue_id" label={t('chn.portal.queue')} err={err}
          hint={queues.length ? undefined : t('chn.no_queue_at_all')}>
          {(p) => <select {...p} value={v.queue_id} onChange={set('queue_id')}>
            <option value="">{t('chn.choose')}</option>
            {queues.map((q) => <option value={q.id}>{q.name}</option>)}</select>}
        </Field>
        <FormError err={err} fields={['title', 'lang', 'phone', 'email', 'chat_key', 'queue_id']} />
        <button type="submit" class="primary" disabled={busy}>{t('chn.portal.save')}</button>
      </form>
    </section>
  );
}

function Callbacks({ t, queues, say, fail }) {
  const [v, setV] = useState(null);
  const { err, busy, run } = useSubmit();
  useEffect(() => {
    channels.callbacks().then((s) => setV({ queue_id: s.queue_id ? String(s.queue_id) : '',
      retry_after_s: String(s.retry_after_s), max_attempts: String(s.max_attempts) }), fail);
  }, []);
  if (!v) return null;
  const set = (k) => (e) => setV({ ...v, [k]: e.target.value });
  const save = (e) => {
    e.preventDefault();
    const body = { queue_id: v.queue_id ? Number(v.queue_id) : null, retry_after_s: Number(v.retry_after_s),
      max_attempts: Number(v.max_attempts) };
    run(async () => { await channels.setCallbacks(body); say((tr) => tr('chn.cb.saved')); });
  };
  return (
    <section class="admin-section" aria-labelledby="chn-cb-title">
      <form class="admin-form" onSubmit={save} noValidate>
        <h2 id="chn-cb-title">{t('chn.cb.title')}</h2>
        <Field id="cbs-queue" name="queue_id" label={t('chn.cb.queue')} err={err} hint={t('chn.cb.queue_hint')}>
          {(p) => <select {...p} value={v.queue_id} onChange={set('queue_id')}>
            <option value="">{t('chn.cb.none')}</option>
            {queues.filter((q) => q.channel === 'phone').map((q) => <option value={q.id}>{q.name}</option>)}</select>}
        </Field>
        <Field id="cbs-retry" name="retry_after_s" label={t('chn.cb.retry')} err={err}>
          {(p) => <input {...p} type="number" value={v.retry_after_s} onInput={set('retry_after_s')} />}
        </Field>
        <Field id="cbs-max" name="max_attempts" label={t('chn.cb.max')} err={err}>
          {(p) => <input {...p} type="number" value={v.max_attempts} onInput={set('max_attempts')} />}
        </Field>
        <FormError err={err} fields={['queue_id', 'retry_after_s', 'max_attempts']} />
        <button type="submit" class="primary" disabled={busy}>{t('chn.cb.save')}</button>
      </form>
    </section>
  );
}

export function Channels({ t, me, say, fail, confirm }) {
  const [queues, setQueues] = useState([]);
  const [chats, setChats] = useState([]);
  useEffect(() => { admin.queues().then((r) => setQueues(r.items), fail); }, []);
  const props = { t, me, queues, say, fail, confirm };
  return (
    <div class="channels">
      <Mailboxes {...props} />
      <ChatChannels {...props} onChange={setChats} />
      <MessagingChannels {...props} />
      <Portal {...props} chats={chats} />
      <Callbacks {...props} />
    </div>
  );
}
