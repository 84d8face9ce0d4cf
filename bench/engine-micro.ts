// Micro-benchmark of the engine alone (no I/O, one thread): frames per second through
// engine.process for the NAT path on established connections, and new connections per second.
// Frames are written in place in one buffer (the client's address and port, the VIP, the TTL):
// nothing per connection is prebuilt, so the table can hold a million connections. The engine
// does not verify checksums, and only rewrites headers: each frame restores its 54 header bytes.
// Not a test: it prints figures and the command that made them.
//   node dist/bench/engine-micro.js [--seconds 3] [--conns 10000] [--active 10000]
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { Director } from '../src/daemon/director.js';
import { Engine } from '../src/engine/engine.js';
import type { EngineEnv } from '../src/engine/engine-env.js';
import { EngineShared } from '../src/engine/engine-shared.js';
import { FwdMethod } from '../src/engine/model.js';
import { FIRST_FRAME_OFFSET } from '../src/packet/frame-layout.js';
import { parseIpv4, parseMac, writeIpv4 } from '../src/packet/addr.js';
import { writeU16 } from '../src/packet/checksum.js';
import { EtherType, writeEthHeader } from '../src/packet/ethernet.js';
import { ipv4SetChecksum } from '../src/packet/ipv4.js';
import { readBenchArgs } from './bench-args.js';

const opt = readBenchArgs(
  'usage: node dist/bench/engine-micro.js [--seconds N] [--conns N] [--active N]\n\n' +
    'Frames/s through the engine alone (NAT, memory only): --conns connections in the table,\n' +
    'traffic on --active of them (spread over the table).',
  ['--seconds', '--conns', '--active'],
);
const seconds = opt.number('--seconds', 3, 0.1, 600);
const nConns = opt.number('--conns', 10_000, 1, 4_000_000);
const active = Math.min(nConns, opt.number('--active', 10_000, 1, 4_000_000));

const ifMac = parseMac('02:dd:00:00:00:01');
const srvMac = parseMac('02:51:00:00:00:01');
const env: EngineEnv = { neighbourMac: () => srvMac, requestNeighbour: () => {} };
let sent = 0;
const capacity = Math.max(1 << 12, 2 ** Math.ceil(Math.log2(nConns * 1.25)));
const rssBefore = process.memoryUsage().rss;
const shared = EngineShared.create(capacity, performance.now());
const engine = new Engine(shared, env, { send: () => void sent++ });
const iface = (ifIndex: number) => ({ ifIndex, mac: [...ifMac], mtu: 1500, address: 0 });
const director = new Director(
  shared,
  () => performance.now(),
  (snap) => engine.configure(snap),
  () => ({ interfaces: [iface(2), iface(3)], localAddresses: [], markIfIndex: -1 }),
);
const key = { kind: 'addr' as const, proto: 'tcp' as const, vip: '192.168.10.23', port: 80 };
director.addService({ key, scheduler: 'wlc' });
for (let s = 1; s <= 4; s++) {
  const spec = { addr: `192.168.20.${s}`, port: 80, method: FwdMethod.Masq, weight: 1 };
  director.addDest(key, { ...spec, upperThreshold: 0, lowerThreshold: 0 });
}
for (const d of director.table.activeDests()) d.ifIndex = 3;
director.republish();

const PAYLOAD = 512;
const HEADERS = 14 + 20 + 20;
const LEN = HEADERS + PAYLOAD;
const VIP = parseIpv4('192.168.10.23');
const BASE = parseIpv4('10.0.0.1');
const work = Buffer.alloc(FIRST_FRAME_OFFSET + LEN);
const template = Buffer.alloc(HEADERS);
writeEthHeader(template, ifMac, parseMac('02:c1:00:00:00:01'), EtherType.IPv4);
template[14] = 0x45;
writeU16(template, 16, 40 + PAYLOAD);
template[22] = 64;
template[23] = 6;
writeIpv4(template, 30, VIP);
ipv4SetChecksum(template, 14);
writeU16(template, 36, 80);
template[46] = 0x50;

/** Connection k: client 10.0.0.1 + k/1024, port 1024 + k%1024. */
function frame(k: number, flags: number): void {
  const o = FIRST_FRAME_OFFSET;
  template.copy(work, o);
  writeIpv4(work, o + 26, (BASE + (k >>> 10)) >>> 0);
  writeU16(work, o + 34, 1024 + (k & 1023));
  work[o + 47] = flags;
}

let t0 = performance.now();
for (let k = 0; k < nConns; k++) {
  frame(k, 0x02);
  engine.process(work, FIRST_FRAME_OFFSET, LEN, 2, t0);
}
const newConnRate = nConns / ((performance.now() - t0) / 1000);
const rssFilled = process.memoryUsage().rss;

// Established traffic on `active` connections spread over the table.
const stride = Math.max(1, Math.floor(nConns / active));
let gcs = 0;
const gcObserver = new PerformanceObserver((list) => (gcs += list.getEntries().length));
gcObserver.observe({ entryTypes: ['gc'] });
const heapBefore = process.memoryUsage().heapUsed;
let frames = 0;
t0 = performance.now();
const deadline = t0 + seconds * 1000;
while (performance.now() < deadline) {
  for (let n = 0, k = 0; n < active; n++, k += stride) {
    frame(k, 0x10);
    engine.process(work, FIRST_FRAME_OFFSET, LEN, 2, t0);
  }
  frames += active;
}
const elapsed = (performance.now() - t0) / 1000;
const heapAfter = process.memoryUsage().heapUsed;
await new Promise((r) => setTimeout(r, 10)); // let the gc observer report
gcObserver.disconnect();
const counters = director.counters();
const dropped = Object.entries(counters)
  .filter(([k]) => k.startsWith('drop.'))
  .reduce((a, [, v]) => a + v, 0);
const fmt = (n: number): string => Math.round(n).toLocaleString('en');
console.log(
  `command: node dist/bench/engine-micro.js --seconds ${seconds} --conns ${nConns} --active ${active}`,
);
console.log(`node ${process.version}, ${LEN}-byte frames, table of ${fmt(capacity)} entries`);
console.log(`new connections: ${fmt(newConnRate)} /s (${fmt(nConns)} opened)`);
console.log(
  `established NAT frames: ${fmt(frames / elapsed)} /s (${fmt(active)} active connections; incl. restoring ${HEADERS} header bytes per frame)`,
);
console.log(`ns per frame: ${((elapsed * 1e9) / frames).toFixed(1)}`);
console.log(
  `connection table: ${fmt(counters['connection_table_bytes']! / capacity)} bytes per entry; RSS grew ${fmt((rssFilled - rssBefore) / nConns)} bytes per connection opened`,
);
console.log(
  `steady state: ${gcs} garbage collections, heap ${fmt(heapBefore / 1024)} → ${fmt(heapAfter / 1024)} KiB`,
);
console.log(`forwarded ${counters['forwarded']}, dropped ${dropped}, sent ${sent}`);
