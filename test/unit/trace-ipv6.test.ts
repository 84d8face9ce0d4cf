// `uvsadm --trace` on IPv6: golden text of hand-built IPv6 frames before and after their rewrite
// (LVS-NAT both ways, LVS-DR, LVS-TUN in IPv6-in-IPv6 and in IPv4, a port unreachable answer,
// extension headers walked, a later fragment, a drop), and the trace path of the IPv6 engine:
// its frames reach the session of their service with the connection's method, real server and
// state, firewall-mark ones included.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DirectorTrace } from '../../src/daemon/director-trace.js';
import { FwdMethod, type ServiceKey } from '../../src/engine/model.js';
import { Verdict } from '../../src/engine/verdict.js';
import { parseIpv4, parseIpv6, parseMac, writeIpv4 } from '../../src/packet/addr.js';
import { ETH_HLEN } from '../../src/packet/ethernet.js';
import { Ipv4, ipv4SetChecksum } from '../../src/packet/ipv4.js';
import { Ipv6 } from '../../src/packet/ipv6.js';
import { parseTraceArgs } from '../../src/ipvsadm/trace-args.js';
import { markMac } from '../../src/net/fwmark-tap.js';
import { frameDestination } from '../../src/trace/frame-destination.js';
import { formatTrace, type TraceMeta } from '../../src/trace/trace-line.js';
import { traceText } from '../../src/trace/trace-output.js';
import { EngineRig } from './fixtures/engine-rig.js';
import { CLIENT_IF, FakeEnv, SERVER_IF } from './fixtures/fake-env.js';
import { buildFrame6, type Frame6Spec } from './fixtures/frames6.js';
import { dest } from './fixtures/nat-director.js';
import {
  CLIENT6,
  CLIENT_MAC,
  fromClient6,
  nat6Director,
  S1_6,
  S1_MAC,
  VIP6,
} from './fixtures/nat6-director.js';

const goldenPath = (name: string): string =>
  fileURLToPath(new URL(`../../../test/golden/${name}`, import.meta.url));
/** UPDATE_GOLDEN=1 rewrites the file (then review the diff). */
function checkGolden(name: string, text: string): void {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenPath(name), text);
  assert.equal(text, readFileSync(goldenPath(name), 'utf8'));
}

const DIR_CLIENT_MAC = '02:dd:00:00:00:01';
const DIR_SERVER_MAC = '02:dd:00:00:00:02';
const T0 = 1_795_750_641; // 2026-11-27 03:37:21 UTC
const SYN = 0x02;

const meta = (seq: number, m: Partial<TraceMeta>): TraceMeta => ({
  seq,
  tsSec: T0,
  tsNsec: seq * 1_000_000,
  inIf: 'eth1',
  verdict: 'forward',
  ...m,
});

const syn: Frame6Spec = {
  srcMac: CLIENT_MAC,
  dstMac: DIR_CLIENT_MAC,
  src: CLIENT6,
  dst: VIP6,
  proto: 'tcp',
  sport: 40000,
  dport: 80,
  flags: SYN,
};
const toServer = (rs: string, method: string): Partial<TraceMeta> => ({
  outIf: 'eth2',
  method,
  way: 'to-server',
  realServer: rs,
  state: 'SYN_RECV',
});

/** `inner` (an Ethernet frame of `innerFamily`) inside an outer header, as LVS-TUN sends it. */
function tunnel(inner: Buffer, outer: 4 | 6, src: string, dst: string): Buffer {
  const innerFamily = inner.readUInt16BE(12) === 0x86dd ? 41 : 4;
  const packet = inner.subarray(ETH_HLEN);
  const hlen = outer === 6 ? 40 : 20;
  const out = Buffer.alloc(ETH_HLEN + hlen + packet.length);
  parseMac('02:ee:00:00:00:fe').copy(out, 0);
  parseMac(DIR_SERVER_MAC).copy(out, 6);
  out.writeUInt16BE(outer === 6 ? 0x86dd : 0x0800, 12);
  packet.copy(out, ETH_HLEN + hlen);
  const o = ETH_HLEN;
  if (outer === 6) {
    out[o] = 0x60;
    out.writeUInt16BE(packet.length, o + Ipv6.PayloadLen);
    out[o + Ipv6.NextHeader] = innerFamily;
    out[o + Ipv6.HopLimit] = 63;
    parseIpv6(src).copy(out, o + Ipv6.Src);
    parseIpv6(dst).copy(out, o + Ipv6.Dst);
    return out;
  }
  out[o] = 0x45;
  out.writeUInt16BE(packet.length + 20, o + Ipv4.TotalLen);
  out.writeUInt16BE(0x4000, o + Ipv4.FragOff);
  out[o + Ipv4.Ttl] = 63;
  out[o + Ipv4.Proto] = innerFamily;
  writeIpv4(out, o + Ipv4.Src, parseIpv4(src));
  writeIpv4(out, o + Ipv4.Dst, parseIpv4(dst));
  ipv4SetChecksum(out, o);
  return out;
}

/** Each row: what came in, what went out (none: nothing sent), what the engine said. */
const ROWS: { what: string; in: Buffer; out?: Buffer; meta: Partial<TraceMeta> }[] = [
  {
    what: 'NAT: DNAT to [S1]:8080, one hop less, the TCP checksum redone',
    in: buildFrame6(syn),
    out: buildFrame6({
      ...syn,
      srcMac: DIR_SERVER_MAC,
      dstMac: S1_MAC,
      dst: S1_6,
      dport: 8080,
      hopLimit: 63,
    }),
    meta: toServer(`[${S1_6}]:8080`, 'Masq'),
  },
  {
    what: "NAT: the real server's reply from the VIP:80",
    in: buildFrame6({
      srcMac: S1_MAC,
      dstMac: DIR_SERVER_MAC,
      src: S1_6,
      dst: CLIENT6,
      proto: 'tcp',
      sport: 8080,
      dport: 40000,
      flags: 0x12,
    }),
    out: buildFrame6({
      srcMac: DIR_CLIENT_MAC,
      dstMac: CLIENT_MAC,
      src: VIP6,
      dst: CLIENT6,
      proto: 'tcp',
      sport: 80,
      dport: 40000,
      flags: 0x12,
      hopLimit: 63,
    }),
    meta: {
      inIf: 'eth2',
      outIf: 'eth1',
      method: 'Masq',
      way: 'to-client',
      realServer: `[${S1_6}]:8080`,
      state: 'ESTABLISHED',
    },
  },
  {
    what: 'DR: the MACs and the hop limit only',
    in: buildFrame6(syn),
    out: buildFrame6({ ...syn, srcMac: DIR_SERVER_MAC, dstMac: S1_MAC, hopLimit: 63 }),
    meta: toServer(`[${S1_6}]:80`, 'Route'),
  },
  {
    what: 'TUN: IPv6-in-IPv6, the outer header added',
    in: buildFrame6(syn),
    out: tunnel(buildFrame6({ ...syn, hopLimit: 63 }), 6, '2001:db8:20::254', '2001:db8:30::1'),
    meta: toServer('[2001:db8:30::1]:80', 'Tunnel'),
  },
  {
    what: 'TUN to an IPv4 real server: IPv6 in IPv4 (sit)',
    in: buildFrame6(syn),
    out: tunnel(buildFrame6({ ...syn, hopLimit: 63 }), 4, '192.168.20.254', '192.168.30.1'),
    meta: toServer('192.168.30.1:80', 'Tunnel'),
  },
  {
    what: 'no real server: port unreachable from the VIP',
    in: buildFrame6(syn),
    out: buildFrame6({
      srcMac: DIR_CLIENT_MAC,
      dstMac: CLIENT_MAC,
      src: VIP6,
      dst: CLIENT6,
      proto: 'icmpv6',
      icmpType: 1,
      icmpCode: 4,
      payload: buildFrame6(syn).subarray(ETH_HLEN),
    }),
    meta: { outIf: 'eth1', verdict: 'reply' },
  },
  {
    what: 'extension headers (hop-by-hop, destination options) walked to the TCP header',
    in: buildFrame6({ ...syn, ext: [{ type: 0 }, { type: 60, extraUnits: 1 }] }),
    out: buildFrame6({
      ...syn,
      ext: [{ type: 0 }, { type: 60, extraUnits: 1 }],
      srcMac: DIR_SERVER_MAC,
      dstMac: S1_MAC,
      dst: S1_6,
      hopLimit: 63,
    }),
    meta: toServer(`[${S1_6}]:80`, 'Masq'),
  },
  {
    what: 'a later fragment: no upper-layer header to show',
    in: buildFrame6({ ...syn, ext: [{ type: 44, fragOffset: 185, more: false }] }),
    meta: { verdict: 'drop', dropReason: 'fragment' },
  },
  {
    what: 'a segment of no connection, dropped',
    in: buildFrame6({ ...syn, flags: 0x10 }),
    meta: { verdict: 'drop', dropReason: 'no_connection' },
  },
];

test('trace of IPv6 frames: NAT both ways, DR, TUN 6in6 and 6in4, an ICMPv6 answer, extension headers, drops (golden)', () => {
  const text = ROWS.map((r, k) => formatTrace(r.in, r.out, meta(k + 1, r.meta))).join('');
  checkGolden('trace-ipv6.txt', text);
});

test('trace of IPv6 frames: the rewritten fields are marked, the tunnel header marked added', () => {
  const lines = (k: number): string[] =>
    formatTrace(ROWS[k]!.in, ROWS[k]!.out, meta(k + 1, ROWS[k]!.meta)).split('\n');
  const [natIn, natOut] = lines(0);
  assert.match(natIn!, / 2001:db8:10::1 > 2001:db8:10::23 +hlim 64 +\| tcp 40000 > 80 \[S\] /);
  assert.match(natOut!, / 2001:db8:10::1 > 2001:db8:20::1\* hlim 63\* \| tcp 40000 > 8080\* /);
  assert.match(
    natOut!,
    /sum 0x[0-9a-f]{4}\* +\| 74 B \| Masq rs \[2001:db8:20::1\]:8080 SYN_RECV$/,
  );
  assert.match(lines(1)[1]!, / 2001:db8:10::23\* > 2001:db8:10::1 hlim 63\* \| tcp 80\* > 40000 /);
  const dr = lines(2)[1]!;
  assert.match(
    dr,
    /2001:db8:10::1 > 2001:db8:10::23 hlim 63\* \| tcp 40000 > 80 \[S\] sum 0x\w{4} /,
  );
  assert.match(
    lines(3)[1]!,
    /\| \+ip6ip6 2001:db8:20::254 > 2001:db8:30::1 hlim 63 \| 2001:db8:10::1 > 2001:db8:10::23 hlim 63\* \|/,
  );
  assert.match(lines(4)[1]!, /\| \+sit 192\.168\.20\.254 > 192\.168\.30\.1 ttl 63 sum 0x\w{4} \|/);
  assert.match(lines(5)[1]!, /\| \+icmp6 1\/4 sum 0x\w{4} +\| \d+ B \| reply$/);
  assert.match(lines(6)[0]!, /\| tcp 40000 > 80 \[S\] sum/);
  assert.match(lines(7)[0]!, /\| proto 6 \(fragment\) +\|/);
});

test('the destination of a traced frame, IPv4 or IPv6, past the extension headers', () => {
  assert.deepEqual(frameDestination(ROWS[6]!.in), {
    family: 6,
    proto: 6,
    addr: VIP6,
    port: 80,
  });
  assert.deepEqual(frameDestination(ROWS[7]!.in), { family: 6, proto: 6, addr: VIP6, port: 0 });
  assert.equal(frameDestination(Buffer.alloc(10)), undefined);
});

function traced(rig: EngineRig): DirectorTrace {
  const names: Record<number, string> = { [CLIENT_IF]: 'eth1', [SERVER_IF]: 'eth2', 9: 'uvsfwm1' };
  let t = 1_795_750_641_000;
  return new DirectorTrace(
    rig.director.table,
    () => 1,
    (rings) => rig.engine.setTrace(rings?.[0]),
    (i) => names[i] ?? `if${i}`,
    () => t++,
  );
}

test("the IPv6 engine's frames reach the trace of their service, with method, real server and state", () => {
  const { rig, key, clock } = nat6Director('rr', { rport: 8080 });
  const trace = traced(rig);
  const id = trace.start(key);
  const f = fromClient6({ sport: 40000, flags: SYN });
  assert.equal(rig.process(f, f.length, CLIENT_IF, clock.now), Verdict.Forward);
  const late = fromClient6({ sport: 40001, flags: 0x10 });
  assert.equal(rig.process(late, late.length, CLIENT_IF, clock.now), Verdict.Drop);
  const { records } = trace.read(id);
  assert.equal(records.length, 2, 'the SYN, and the segment of no connection to the VIP');
  const [r, d] = records;
  assert.deepEqual(
    [r!.verdict, r!.method, r!.way, r!.realServer, r!.state, r!.outs[0]?.ifName],
    ['forward', 'Masq', 'to-server', `[${S1_6}]:8080`, 'SYN_RECV', 'eth2'],
  );
  assert.match(traceText(r!), /2001:db8:20::1\* hlim 63\* \| tcp 40000 > 8080\* \[S\]/);
  assert.deepEqual([d!.verdict, d!.dropReason], ['drop', 'no_connection']);
  trace.close();
});

test('an IPv6 firewall-mark service is traced by its mark: the tap copies, and the replies', () => {
  const KEY: ServiceKey = { kind: 'fwmark', fwmark: 7, family: 'inet6' };
  const env = new FakeEnv();
  env.macs.set(9, parseMac('02:7b:00:00:00:09'));
  env.markIfIndex = 9;
  const rig = new EngineRig(env, () => 1_000_000);
  rig.director.addService({ key: KEY, scheduler: 'rr' });
  rig.director.addDest(KEY, dest(S1_6, 0, 1, FwdMethod.Masq));
  rig.routeDestsVia(SERVER_IF);
  rig.addNeighbour6(S1_6, S1_MAC, SERVER_IF);
  const trace = traced(rig);
  const id = trace.start(KEY);
  const f = fromClient6({ sport: 40002, flags: SYN });
  rig.process(Buffer.from(f), f.length, CLIENT_IF, 1_000_000);
  markMac(7).copy(f, 0);
  f[ETH_HLEN + Ipv6.HopLimit] = 63;
  assert.equal(rig.process(f, f.length, 9, 1_000_000), Verdict.Forward);
  const reply = buildFrame6({
    srcMac: S1_MAC,
    src: S1_6,
    dst: CLIENT6,
    proto: 'tcp',
    sport: 80,
    dport: 40002,
    flags: 0x12,
  });
  assert.equal(rig.process(reply, reply.length, SERVER_IF, 1_000_000), Verdict.Forward);
  const { records } = trace.read(id);
  assert.equal(records.length, 2, 'the tap copy and the reply (the wire copy is not ours)');
  assert.deepEqual(
    records.map((r) => [r.inIf, r.method, r.way, r.realServer, r.outs[0]?.ifName]),
    [
      ['uvsfwm1', 'Masq', 'to-server', `[${S1_6}]:0`, 'eth2'],
      ['eth2', 'Masq', 'to-client', `[${S1_6}]:0`, 'eth1'],
    ],
  );
  trace.close();
});

test('uvsadm --trace -f MARK -6 names the IPv6 firewall-mark service; -6 without -f is refused', () => {
  assert.deepEqual(parseTraceArgs(['--trace', '-f', '7', '-6', '--count', '3']), {
    kind: 'trace',
    key: { kind: 'fwmark', fwmark: 7, family: 'inet6' },
    count: 3,
  });
  assert.deepEqual(parseTraceArgs(['--trace', '--ipv6', '--fwmark-service=7']), {
    kind: 'trace',
    key: { kind: 'fwmark', fwmark: 7, family: 'inet6' },
  });
  assert.throws(
    () => parseTraceArgs(['--trace', '-t', '[2001:db8::1]:80', '-6']),
    (e: Error) => e.message === '-6 used before -f',
  );
});
