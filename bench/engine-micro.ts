// Micro-benchmark of the engine alone (no I/O): frames per second through engine.process for
// the NAT path (client → server and back) on established connections, and for new
// connections. Not a test: it prints figures and the command that made them.
//   node dist/bench/engine-micro.js [--seconds 3] [--conns 10000]
import { performance } from 'node:perf_hooks';
import { Director } from '../src/daemon/director.js';
import { Engine } from '../src/engine/engine.js';
import type { EngineEnv } from '../src/engine/engine-env.js';
import { EngineShared } from '../src/engine/engine-shared.js';
import { FwdMethod } from '../src/engine/model.js';
import { FIRST_FRAME_OFFSET } from '../src/packet/frame-layout.js';
import { parseIpv4, parseMac, writeIpv4 } from '../src/packet/addr.js';
import { finish, pseudoHeaderSum, sum16, writeU16 } from '../src/packet/checksum.js';
import { EtherType, writeEthHeader } from '../src/packet/ethernet.js';
import { ipv4SetChecksum } from '../src/packet/ipv4.js';
import { benchArgs } from './bench-args.js';

const opt = benchArgs(
  'usage: node dist/bench/engine-micro.js [--seconds N] [--conns N]\n\nFrames/s through the engine alone (NAT, memory only).',
);
const seconds = Number(opt('--seconds', '3'));
const nConns = Number(opt('--conns', '10000'));

const ifMac = parseMac('02:dd:00:00:00:01');
const srvMac = parseMac('02:51:00:00:00:01');
const env: EngineEnv = {
  neighbourMac: () => srvMac,
  requestNeighbour: () => {},
};
let sent = 0;
const shared = EngineShared.create(1 << 17, performance.now());
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
  director.addDest(key, {
    addr: `192.168.20.${s}`,
    port: 80,
    method: FwdMethod.Masq,
    weight: 1,
    upperThreshold: 0,
    lowerThreshold: 0,
  });
}
for (const d of director.table.activeDests()) d.ifIndex = 3;
director.republish();

const PAYLOAD = 512;
const template = Buffer.alloc(14 + 20 + 20 + PAYLOAD);
function frame(buf: Buffer, client: number, port: number, flags: number): void {
  template.copy(buf);
  writeEthHeader(buf, ifMac, parseMac('02:c1:00:00:00:01'), EtherType.IPv4);
  buf[14] = 0x45;
  writeU16(buf, 16, 40 + PAYLOAD);
  buf[22] = 64;
  buf[23] = 6;
  writeIpv4(buf, 26, client);
  writeIpv4(buf, 30, parseIpv4('192.168.10.23'));
  ipv4SetChecksum(buf, 14);
  writeU16(buf, 34, port);
  writeU16(buf, 36, 80);
  buf[46] = 0x50;
  buf[47] = flags;
  writeU16(buf, 50, 0);
  writeU16(
    buf,
    50,
    finish(
      sum16(
        buf,
        34,
        20 + PAYLOAD,
        pseudoHeaderSum(client, parseIpv4('192.168.10.23'), 6, 20 + PAYLOAD),
      ),
    ),
  );
}

// Pre-built frames: one SYN per connection, then an ACK per connection.
const base = parseIpv4('10.0.0.1');
const syns = Array.from({ length: nConns }, (_, k) => {
  const b = Buffer.alloc(template.length);
  frame(b, base + (k >> 10), 1024 + (k & 1023), 0x02);
  return b;
});
const acks = Array.from({ length: nConns }, (_, k) => {
  const b = Buffer.alloc(template.length);
  frame(b, base + (k >> 10), 1024 + (k & 1023), 0x10);
  return b;
});
const work = Buffer.alloc(FIRST_FRAME_OFFSET + template.length);

let t0 = performance.now();
for (const s of syns) {
  s.copy(work, FIRST_FRAME_OFFSET);
  engine.process(work, FIRST_FRAME_OFFSET, s.length, 2, t0);
}
const newConnRate = nConns / ((performance.now() - t0) / 1000);

let frames = 0;
t0 = performance.now();
const deadline = t0 + seconds * 1000;
while (performance.now() < deadline) {
  for (let k = 0; k < nConns; k++) {
    acks[k]!.copy(work, FIRST_FRAME_OFFSET);
    engine.process(work, FIRST_FRAME_OFFSET, template.length, 2, t0);
  }
  frames += nConns;
}
const elapsed = (performance.now() - t0) / 1000;
const counters = director.counters();
console.log(`command: node dist/bench/engine-micro.js --seconds ${seconds} --conns ${nConns}`);
console.log(`node ${process.version}, ${PAYLOAD + 54}-byte frames, ${nConns} connections`);
console.log(`new connections: ${Math.round(newConnRate).toLocaleString('en')} /s`);
console.log(
  `established NAT frames: ${Math.round(frames / elapsed).toLocaleString('en')} /s (incl. a ${template.length}-byte copy per frame)`,
);
console.log(
  `forwarded ${counters['forwarded']}, dropped ${Object.entries(counters)
    .filter(([k]) => k.startsWith('drop.'))
    .reduce((a, [, v]) => a + v, 0)}`,
);
