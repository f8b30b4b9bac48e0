// Ports for the browser suite's own servers (SIPp, Dovecot), given as
// tests/integration/testport.c gives the C programs theirs: from the range
// of this program's slot (GUICHET_TEST_SLOT, set by scripts/run-tests), which
// no other program running at once shares, below the kernel's ephemeral
// ports and guichetd's RTP ports (20000 and up). A port the kernel hands out
// for listen(0) is one it may hand any connect() or bind(0) next, and one
// free for TCP may be taken for UDP: a SIPp then ends with 254, "fatal error
// binding a socket". Each port is free now for TCP and UDP, with its next
// five free for UDP too (a SIPp's RTCP and video), and none is given out
// twice by this process before the slot's range comes round.
import dgram from 'node:dgram';
import net from 'node:net';

const FIRST_PORT = 10000;
const SLOT_PORTS = 1248;
const MAX_SLOT = 7;
const STRIDE = 8;
const CHECKED = 6;
let next = -1; // offset in the slot's range of the next port to try

const tcpFree = (port) => new Promise((ok) => {
  const s = net.createServer();
  s.once('error', () => ok(false));
  s.listen(port, '127.0.0.1', () => s.close(() => ok(true)));
});

const udpFree = (port) => new Promise((ok) => {
  const s = dgram.createSocket('udp4');
  s.once('error', () => { s.close(); ok(false); });
  s.bind(port, '127.0.0.1', () => s.close(() => ok(true)));
});

export async function freePort() {
  let slot = Number(process.env.GUICHET_TEST_SLOT || 0);
  if (!(slot >= 0 && slot <= MAX_SLOT)) slot = 0;
  const base = FIRST_PORT + slot * SLOT_PORTS;
  if (next < 0) next = (process.pid % (SLOT_PORTS / STRIDE)) * STRIDE; // a suite run twice starts elsewhere
  for (let tries = 0; tries < SLOT_PORTS / STRIDE; tries++) {
    const port = base + next;
    next = (next + STRIDE) % SLOT_PORTS; // taken before any wait: lanes asking at once get different ports
    let free = await tcpFree(port);
    for (let i = 0; free && i < CHECKED; i++) free = await udpFree(port + i);
    if (free) return port;
  }
  throw new Error(`no free port in slot ${slot}'s range (${base} to ${base + SLOT_PORTS - 1})`);
}
