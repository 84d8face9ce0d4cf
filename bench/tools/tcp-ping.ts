// Request/response round trips on one TCP connection: sends --size bytes, waits until they
// come back, again, for at most --seconds and --count round trips; prints
// {"count":N,"medianUs":M,"p99Us":P,"minUs":m} on stdout. A reply missing for 2 s is an error.
//   node dist/bench/tools/tcp-ping.js --to ADDR --port 7 [--seconds 2] [--count 1000000] [--size 32]
import { connect } from 'node:net';
import { readBenchArgs } from '../bench-args.js';
import { percentile } from '../report/stats.js';

const opt = readBenchArgs(
  'usage: tcp-ping --to ADDR --port P [--seconds S] [--count N] [--size BYTES]\n\n' +
    'Round-trip times of small messages on one TCP connection (median, p99).',
  ['--to', '--port', '--seconds', '--count', '--size'],
);
const to = opt.string('--to', '');
const port = opt.number('--port', 7, 1, 65535);
const seconds = opt.number('--seconds', 2, 0.1, 600);
const maxCount = opt.number('--count', 1_000_000, 1, 1e8);
const size = opt.number('--size', 32, 1, 1400);
if (to === '') {
  console.error('tcp-ping: --to is required');
  process.exit(2);
}

const message = Buffer.alloc(size, 0x61);
const rtts = new Float64Array(maxCount);
let count = 0;
let pending = 0;
let sentAt = 0n;
const sock = connect({ host: to, port, noDelay: true });
const fail = (why: string): never => {
  console.error(`tcp-ping: ${to}:${port}: ${why}`);
  process.exit(1);
};
sock.on('error', (e) => fail(e.message));
const watchdog = setInterval(() => {
  if (pending > 0 && process.hrtime.bigint() - sentAt > 2_000_000_000n) fail('no reply for 2 s');
}, 500);
const t0 = process.hrtime.bigint();
const send = (): void => {
  pending = size;
  sentAt = process.hrtime.bigint();
  sock.write(message);
};
sock.on('connect', send);
sock.on('data', (d) => {
  pending -= d.length;
  if (pending > 0) return;
  const now = process.hrtime.bigint();
  rtts[count++] = Number(now - sentAt) / 1000;
  if (count < maxCount && now - t0 < BigInt(Math.round(seconds * 1e9))) send();
  else finish();
});
function finish(): void {
  clearInterval(watchdog);
  sock.destroy();
  const sorted = rtts.subarray(0, count).sort();
  console.log(
    JSON.stringify({
      count,
      medianUs: percentile(sorted, 0.5),
      p99Us: percentile(sorted, 0.99),
      minUs: sorted[0] ?? 0,
    }),
  );
}
