// udp-pps: 64-byte datagrams from the client (udp-blast, bounded by time and count), counted
// where they arrive, by an nftables counter on S1 and S2; datagrams received per second of
// sending.
import { fileURLToPath } from 'node:url';
import type { Lab } from '../../src/lab/lab.js';
import { UDP_PORT } from '../bench-maquette.js';
import { readUdpCounters, resetUdpCounters } from '../servers.js';
import { runIn, sleep } from '../run-in.js';
import type { Measured } from './wrk.js';

const UDP_BLAST = fileURLToPath(new URL('../tools/udp-blast.js', import.meta.url));
export const UDP_PAYLOAD = 64;
/** Late datagrams still in queues when the sender stops are counted for this long. */
const DRAIN_MS = 300;

export async function runUdp(lab: Lab, target: string, seconds: number): Promise<Measured> {
  await resetUdpCounters(lab);
  const r = await runIn(
    lab.ns('client'),
    process.execPath,
    [
      UDP_BLAST,
      '--to',
      target,
      '--port',
      String(UDP_PORT),
      '--seconds',
      String(seconds),
      '--count',
      '20000000',
      '--size',
      String(UDP_PAYLOAD),
    ],
    (seconds + 20) * 1000,
  );
  if (r.code !== 0) throw new Error(`udp-blast: ${r.stderr.trim()}`);
  const sent = JSON.parse(r.stdout) as { sent: number; seconds: number; errors: number };
  await sleep(DRAIN_MS);
  const received = await readUdpCounters(lab);
  const value = received / sent.seconds;
  const arrived = received / Math.max(1, sent.sent);
  // Everything arrived: the sender, not the path, set the pace; the figure is a lower bound.
  const note =
    `sent ${Math.round(sent.sent / sent.seconds)}/s, ${(arrived * 100).toFixed(0)}% arrived` +
    (arrived >= 0.99 ? ': sender-bound, the path forwards at least this' : '');
  return { value, note };
}
