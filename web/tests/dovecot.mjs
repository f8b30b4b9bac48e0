// A throwaway Dovecot IMAP server for the browser tests, the same as the
// integration tests' (tests/integration/dovecot.c): Debian's dovecot-imapd
// run with `dovecot -F -c FILE` on a minimal dovecot.conf written here (no
// system configuration read), everything in one temporary folder; plain
// IMAP on a free port of 127.0.0.1 (allowed on loopback), PLAIN and LOGIN
// against the users given, a failed login answered at once. Run as "nobody"
// when we are root (CI), as ourselves otherwise. stop() ends it and removes
// the folder; so does this process's exit.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.mjs';

const answers = (port) => new Promise((ok) => {
  const c = createConnection({ port, host: '127.0.0.1' });
  c.once('data', (d) => { c.destroy(); ok(/^\* OK/.test(String(d))); });
  c.once('error', () => ok(false));
});

// users: {name: password}; resolves {url, stop} once the server greets.
export async function startDovecot(users) {
  const root = process.getuid() === 0;
  const id = (what) => spawnSync('id', [what, 'nobody'], { encoding: 'utf8' }).stdout.trim();
  const uid = root ? Number(id('-u')) : process.getuid();
  const gid = root ? Number(id('-g')) : process.getgid();
  const user = root ? 'nobody' : userInfo().username;
  const group = spawnSync('getent', ['group', String(gid)], { encoding: 'utf8' }).stdout.split(':')[0];
  const dir = mkdtempSync(join(tmpdir(), 'guichet-dovecot-'));
  for (const d of ['run', 'state', 'mail']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'users'), Object.entries(users)
    .map(([name, pw]) => `${name}:{PLAIN}${pw}:${uid}:${gid}::${dir}/mail/${name}\n`).join(''));
  const port = await freePort();
  writeFileSync(join(dir, 'dovecot.conf'), `# written by web/tests/dovecot.mjs for one test run
base_dir = ${dir}/run\nstate_dir = ${dir}/state\nlog_path = ${dir}/dovecot.log
instance_name = guichet-web-test\nprotocols = imap\nlisten = 127.0.0.1
default_login_user = ${user}\ndefault_internal_user = ${user}\ndefault_internal_group = ${group}
first_valid_uid = 1\nlast_valid_uid = 0\nfirst_valid_gid = 1
mail_location = maildir:~/Maildir\nmail_fsync = never\nssl = no
disable_plaintext_auth = no\nauth_mechanisms = plain login\nauth_failure_delay = 0
passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${dir}/users\n}
userdb {\n  driver = passwd-file\n  args = username_format=%u ${dir}/users\n}
service anvil {\n  chroot =\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}
service imap-login {\n  chroot =\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }
  inet_listener imaps {\n    port = 0\n  }\n}\n`);
  for (const p of ['', '/run', '/state', '/mail', '/users', '/dovecot.conf']) chownSync(dir + p, uid, gid);
  const child = spawn('dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: 'ignore', detached: true });
  const kill = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
  process.once('exit', kill);
  let exited = false;
  child.once('exit', () => { exited = true; });
  // the server greets within a second or two; give up after 20 s, or when it exits
  for (let i = 0; !(await answers(port)); i++) {
    if (exited || i > 200) {
      kill();
      throw new Error(`dovecot did not start (is dovecot-imapd installed?); see ${dir}/dovecot.log`);
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const stop = () => new Promise((ok) => {
    process.removeListener('exit', kill);
    const done = () => { rmSync(dir, { recursive: true, force: true }); ok(); };
    if (exited) return done();
    child.once('exit', done);
    try { process.kill(-child.pid, 'SIGTERM'); } catch { done(); }
  });
  return { url: `imap://127.0.0.1:${port}/INBOX`, stop };
}
