// The benchmark's set-up: guichetd of the release build on a fresh SQLite
// database in a temporary folder, serving web/dist (as web/tests/run.mjs
// starts it), and the tenant seeded through the API: Q queues (each with a
// skill of its own), A agents with routing profiles (three skills each,
// nine in ten of them available), a supervisor, and one agent who logs in
// through the page and alone holds the skill of the first queue (so every
// contact put there is offered to the page).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const PASSWORD = 'bench password';
export const AGENT = 'agent@bench.example';
export const SUPERVISOR = 'supervisor@bench.example';
const ADMIN = 'admin@bench.example';

// guichetd on a fresh database: its URL and a stop function.
export async function startDaemon(build, web, dir) {
  const db = join(dir, 'bench.db');
  const init = spawnSync(join(build, 'guichet'), ['admin', 'init', '--db', db, '--tenant', 'Bench',
    '--admin-email', ADMIN, '--admin-password', PASSWORD], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`guichet admin init: ${init.stderr}`);
  const child = spawn(join(build, 'guichetd'), ['--db', db, '--listen', '127.0.0.1:0', '--log', join(dir, 'log'),
    '--access-log', 'off', '--web-dir', join(web, 'dist'), '--secret-key-file', join(dir, 'key')],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`guichetd exited with ${code}`)));
  });
  const port = /:(\d+)\s*$/.exec(line)?.[1];
  if (!line.startsWith('guichetd listening on') || !port) throw new Error(`guichetd said: ${line}`);
  const stop = () => new Promise((ok) => { child.once('exit', ok); child.kill('SIGTERM'); });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop };
}

// A bearer client: api(method, path, body) answers the parsed JSON or throws.
import { bearer as client } from '../../web/tests/bearer.mjs';

export { client };

// Runs fn(i) for i in [0, n), `width` at a time.
export async function parallel(n, width, fn) {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
}

// The tenant of the benchmark. Answers the admin's client, the queues
// (the first is the page agent's), the agents' user ids and the page
// agent's and the supervisor's.
export async function seed(url, { queues: nQueues, agents: nAgents }) {
  const { token } = await client(url)('POST', '/api/v1/auth/login', { email: ADMIN, password: PASSWORD });
  const admin = client(url, token);
  const queues = [];
  const skills = [];
  for (let i = 0; i < nQueues; i++) {
    const skill = await admin('POST', '/api/v1/skills', { name: `skill-${i + 1}` });
    skills.push(skill.id);
    queues.push(await admin('POST', '/api/v1/queues', { name: `Queue ${i + 1}`, skill_id: skill.id, channel: 'chat',
      offer_timeout_s: 60 }));
  }
  const supervisor = await admin('POST', '/api/v1/users', { email: SUPERVISOR, name: 'Sam Supervisor',
    password: PASSWORD, role: 'supervisor' });
  const agent = await admin('POST', '/api/v1/users', { email: AGENT, name: 'Alex Agent', password: PASSWORD,
    role: 'agent' });
  await admin('PUT', `/api/v1/agents/${agent.id}`, { level: 1, skills: [{ skill_id: skills[0], proficiency: 5, tier: 1 }],
    capacity: { chat: 1 } });
  // the others serve the other queues, three skills each
  const others = nQueues > 1 ? nQueues - 1 : 1;
  const agents = new Array(nAgents);
  await parallel(nAgents, 4, async (i) => {
    const user = await admin('POST', '/api/v1/users', { email: `agent${i + 1}@bench.example`, name: `Agent ${i + 1}`,
      password: PASSWORD, role: 'agent' });
    const own = [...new Set([0, 1, 2].map((k) => skills[nQueues > 1 ? 1 + ((i + k) % others) : 0]))];
    await admin('PUT', `/api/v1/agents/${user.id}`, { level: 1,
      skills: own.map((id) => ({ skill_id: id, proficiency: 1 + (i % 10), tier: 1 })), capacity: { chat: 2 } });
    if (i % 10 !== 9) await admin('POST', `/api/v1/agents/${user.id}/presence`, { presence: 'available' });
    agents[i] = user.id;
  });
  return { admin, queues, agents, agentId: agent.id, supervisorId: supervisor.id };
}
