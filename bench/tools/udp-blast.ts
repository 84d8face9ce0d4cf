// Sends fixed-size UDP datagrams to one address as fast as the socket takes them (or at most
// --rate per second), for at most --seconds and at most --count datagrams; prints
// {"sent":N,"seconds":S,"errors":E} on stdout. Bounded in time and count; the send queue is
// kept short, so memory is bounded too.
//   node dist/bench/tools/udp-blast.js --to ADDR --port P [--seconds 2] [--count 5000000] [--size 64] [--rate 0]
import { createSocket } from 'node:dgram';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { readBenchArgs } from '../bench-args.js';

const opt = readBenchArgs(
  'usage: udp-blast --to ADDR --port P [--seconds S] [--count N] [--size BYTES] [--rate PER_S]\n\n' +
    'Sends UDP datagrams of --size bytes of payload, bounded by --seconds and --count.',
  ['--to', '--port', '--seconds', '--count', '--size', '--rate'],
);
const to = opt.string('--to', '');
const port = opt.number('--port', 0, 1, 65535);
const seconds = opt.number('--seconds', 2, 0.1, 600);
const maxCount = opt.number('--count', 5_000_000, 1, 1e9);
const size = opt.number('--size', 64, 1, 1472);
const rate = opt.number('--rate', 0, 0, 1e8);
if (to === '') {
  console.error('udp-blast: --to is required');
  process.exit(2);
}

const BATCH = 64;
const MAX_QUEUED = 512;
const payload = Buffer.alloc(size, 0x5a);
const socket = createSocket('udp4');
let errors = 0;
socket.on('error', () => errors++);
await new Promise<void>((resolve) => socket.connect(port, to, resolve));

let sent = 0;
const t0 = process.hrtime.bigint();
const elapsed = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
for (;;) {
  const t = elapsed();
  if (t >= seconds || sent >= maxCount) break;
  if (rate > 0 && sent >= rate * t) {
    await new Promise((r) => setTimeout(r, 1));
    continue;
  }
  for (let k = 0; k < BATCH && sent < maxCount; k++, sent++) socket.send(payload);
  // Completions are delivered by the event loop: let it run, and wait while the queue is long.
  do await yieldToLoop();
  while (socket.getSendQueueCount() > MAX_QUEUED && elapsed() < seconds);
}
const secondsTaken = elapsed();
await new Promise<void>((resolve) => socket.close(() => resolve()));
console.log(JSON.stringify({ sent, seconds: secondsTaken, errors }));
