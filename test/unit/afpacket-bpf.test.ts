// The BPF program generator, run through the classic-BPF interpreter over a table of frames:
// each row says whether uvs must see the frame. The same programs are attached to a real
// socket in test/integration/afpacket-filter.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BpfAssembler } from '../../src/io/afpacket/bpf-assembler.js';
import {
  BpfClass,
  BpfJmp,
  BpfSize,
  BPF_MAXINSNS,
  decodeProgram,
} from '../../src/io/afpacket/bpf-insn.js';
import { checkProgram, runFilter } from '../../src/io/afpacket/bpf-interpreter.js';
import {
  BPF_ACCEPT,
  filterProgram,
  type FilterSpec,
  type L4Endpoint,
} from '../../src/io/afpacket/bpf-program.js';
import { parseIpv4, writeIpv4 } from '../../src/packet/addr.js';
import { writeU16 } from '../../src/packet/checksum.js';
import { buildFrame, type FrameSpec } from './fixtures/frames.js';

const VIP = '10.0.0.100';
const VIP_ANY = '10.0.0.101';
const RIP = '192.168.1.10';
const RIP_UDP = '192.168.1.11';
const CLIENT = '172.16.0.5';

const ep = (addr: string, proto: 'tcp' | 'udp', port: number): L4Endpoint => ({
  addr: parseIpv4(addr),
  proto,
  port,
});

const SPEC: FilterSpec = {
  arp: true,
  vips: [ep(VIP, 'tcp', 80), ep(VIP, 'tcp', 443), ep(VIP, 'udp', 53), ep(VIP_ANY, 'tcp', 0)],
  realServers: [ep(RIP, 'tcp', 8080), ep(RIP_UDP, 'udp', 0)],
  icmpErrors: true,
  vrrp: true,
};

const tcp = (
  src: string,
  dst: string,
  sport: number,
  dport: number,
  extra: Partial<FrameSpec> = {},
) => buildFrame({ src, dst, proto: 'tcp', sport, dport, ...extra });
const udp = (src: string, dst: string, sport: number, dport: number) =>
  buildFrame({ src, dst, proto: 'udp', sport, dport, payload: 'x' });

/** `frame` with its IPv4 protocol, fragment field or EtherType changed. */
function withIp(frame: Buffer, change: { proto?: number; frag?: number }): Buffer {
  const f = Buffer.from(frame);
  if (change.proto !== undefined) f[23] = change.proto;
  if (change.frag !== undefined) writeU16(f, 20, change.frag);
  return f;
}

function etherType(type: number, len = 60): Buffer {
  const f = Buffer.alloc(len);
  writeU16(f, 12, type);
  return f;
}

/** An ICMP error of `type` from `src` to `dst` quoting the IPv4 header and ports of `quoted`. */
function icmpError(src: string, dst: string, type: number, quoted: Buffer): Buffer {
  const f = Buffer.alloc(14 + 20 + 8 + 28);
  writeU16(f, 12, 0x0800);
  f[14] = 0x45;
  writeU16(f, 16, f.length - 14);
  f[22] = 64;
  f[23] = 1;
  writeIpv4(f, 26, parseIpv4(src));
  writeIpv4(f, 30, parseIpv4(dst));
  f[34] = type;
  quoted.copy(f, 42, 14, 14 + 28);
  return f;
}

function arpRequest(): Buffer {
  const f = etherType(0x0806, 42);
  f.fill(0xff, 0, 6);
  return f;
}

const toRip = tcp(CLIENT, RIP, 40000, 8080);
const unrelated = tcp(CLIENT, '10.9.9.9', 40000, 80);
// IP options whose bytes 2-3 read as port 80: a filter that ignored the IHL would accept it.
const options81 = tcp(CLIENT, VIP, 40000, 81, { ipOptions: Buffer.from([1, 1, 0, 80]) });
const options80 = tcp(CLIENT, VIP, 40000, 80, { ipOptions: Buffer.from([1, 1, 0, 81]) });

/** SPEC's VIPs and 5000 more: too many for an exact program. */
function manyVips(): L4Endpoint[] {
  const many = [...SPEC.vips!];
  for (let i = 0; i < 5000; i++) many.push(ep(`10.1.${i >> 8}.${i & 255}`, 'tcp', 80));
  return many;
}

const ROWS: { name: string; frame: Buffer; accept: boolean }[] = [
  { name: 'ARP request', frame: arpRequest(), accept: true },
  { name: 'TCP to VIP:80', frame: tcp(CLIENT, VIP, 40000, 80), accept: true },
  { name: 'TCP to VIP:443', frame: tcp(CLIENT, VIP, 40000, 443), accept: true },
  { name: 'TCP to VIP:81', frame: tcp(CLIENT, VIP, 40000, 81), accept: false },
  { name: 'UDP to VIP:53', frame: udp(CLIENT, VIP, 40000, 53), accept: true },
  { name: 'UDP to VIP:80 (a TCP-only port)', frame: udp(CLIENT, VIP, 40000, 80), accept: false },
  { name: 'TCP to VIP:80 after IP options', frame: options80, accept: true },
  { name: 'TCP to VIP:81 after options that read as 80', frame: options81, accept: false },
  { name: 'TCP to a port-0 VIP, any port', frame: tcp(CLIENT, VIP_ANY, 1, 12345), accept: true },
  { name: 'UDP to a TCP port-0 VIP', frame: udp(CLIENT, VIP_ANY, 1, 12345), accept: false },
  { name: 'TCP reply from RIP:8080', frame: tcp(RIP, CLIENT, 8080, 40000), accept: true },
  { name: 'TCP from RIP:8081', frame: tcp(RIP, CLIENT, 8081, 40000), accept: false },
  { name: 'TCP to RIP:8080 (not a reply)', frame: toRip, accept: false },
  { name: 'UDP from a port-0 real server', frame: udp(RIP_UDP, CLIENT, 5000, 1), accept: true },
  { name: 'TCP from a UDP-only real server', frame: tcp(RIP_UDP, CLIENT, 5000, 1), accept: false },
  {
    name: 'non-first fragment to a VIP (no ports)',
    frame: withIp(udp(CLIENT, VIP, 9, 9), { frag: 185 }),
    accept: true,
  },
  {
    name: 'non-first fragment from a real server',
    frame: withIp(tcp(RIP, CLIENT, 1, 1), { frag: 0x2000 | 10 }),
    accept: true,
  },
  {
    name: 'non-first fragment to another host',
    frame: withIp(udp(CLIENT, '10.9.9.9', 53, 53), { frag: 185 }),
    accept: false,
  },
  {
    name: 'first fragment (MF) to VIP:80',
    frame: withIp(tcp(CLIENT, VIP, 40000, 80), { frag: 0x2000 }),
    accept: true,
  },
  {
    name: 'VRRP advert',
    frame: withIp(udp('10.0.0.2', '224.0.0.18', 0, 0), { proto: 112 }),
    accept: true,
  },
  {
    name: 'ICMP unreachable quoting client -> RIP',
    frame: icmpError('10.0.0.254', CLIENT, 3, toRip),
    accept: true,
  },
  {
    name: 'ICMP time exceeded quoting VIP -> client',
    frame: icmpError('10.0.0.254', CLIENT, 11, tcp(VIP, CLIENT, 80, 40000)),
    accept: true,
  },
  {
    name: 'ICMP unreachable quoting unrelated hosts',
    frame: icmpError('10.0.0.254', CLIENT, 3, unrelated),
    accept: false,
  },
  {
    name: 'ICMP echo request to a VIP',
    frame: icmpError(CLIENT, VIP, 8, tcp(CLIENT, VIP, 1, 80)),
    accept: false,
  },
  { name: 'TCP between other hosts', frame: unrelated, accept: false },
  { name: 'IPv6', frame: etherType(0x86dd), accept: false },
  { name: '802.1Q tagged', frame: etherType(0x8100), accept: false },
  {
    name: 'TCP to VIP cut before its ports',
    frame: tcp(CLIENT, VIP, 40000, 80).subarray(0, 14 + 20 + 1),
    accept: false,
  },
  { name: 'runt frame', frame: Buffer.alloc(10), accept: false },
];

test('the exact program accepts what uvs handles and nothing else', () => {
  const prog = filterProgram(SPEC);
  assert.ok(prog.exact);
  checkProgram(prog.insns);
  for (const row of ROWS)
    assert.equal(runFilter(prog.insns, row.frame) !== 0, row.accept, row.name);
});

test('an accepted frame is kept whole (the program returns more than any frame)', () => {
  const prog = filterProgram(SPEC);
  assert.equal(runFilter(prog.insns, tcp(CLIENT, VIP, 40000, 80)), BPF_ACCEPT);
});

test('a frame whose VLAN tag the kernel took out is dropped, even to a VIP', () => {
  const toVip = tcp(CLIENT, VIP, 40000, 80);
  for (const prog of [filterProgram(SPEC), filterProgram({ ...SPEC, vips: manyVips() })]) {
    assert.notEqual(runFilter(prog.insns, toVip), 0);
    assert.equal(runFilter(prog.insns, toVip, { vlanTagPresent: true }), 0, `exact: ${prog.exact}`);
  }
  const all = filterProgram({ acceptAll: true });
  assert.notEqual(runFilter(all.insns, toVip, { vlanTagPresent: true }), 0, 'the tap takes all');
});

test('the encoded program decodes to the same instructions', () => {
  const prog = filterProgram(SPEC);
  assert.equal(prog.bytes.length, prog.insns.length * 8);
  assert.deepEqual(decodeProgram(prog.bytes), prog.insns);
});

test('without ARP, VRRP or ICMP rules those frames are dropped', () => {
  const prog = filterProgram({ vips: SPEC.vips! });
  const dropped = ['ARP request', 'VRRP advert', 'ICMP unreachable quoting client -> RIP'];
  for (const row of ROWS.filter((r) => dropped.includes(r.name)))
    assert.equal(runFilter(prog.insns, row.frame), 0, row.name);
  assert.notEqual(runFilter(prog.insns, tcp(CLIENT, VIP, 40000, 80)), 0);
});

test('acceptAll accepts every frame, an empty spec none', () => {
  const all = filterProgram({ acceptAll: true });
  const none = filterProgram({});
  for (const row of ROWS) {
    assert.notEqual(runFilter(all.insns, row.frame), 0, row.name);
    assert.equal(runFilter(none.insns, row.frame), 0, row.name);
  }
});

test('an EtherType section (the IPv6 hook) adds its own frames', () => {
  const prog = filterProgram({
    ...SPEC,
    sections: [
      {
        etherType: 0x86dd,
        emitExact(asm) {
          asm.load(BpfSize.B, 20); // IPv6 next header
          const tcpNext = asm.newLabel();
          asm.branch(BpfJmp.JEQ, 6, tcpNext);
          asm.ret(0);
          asm.place(tcpNext);
          asm.ret(BPF_ACCEPT);
        },
      },
    ],
  });
  const v6tcp = etherType(0x86dd, 74);
  v6tcp[20] = 6;
  const v6udp = etherType(0x86dd, 74);
  v6udp[20] = 17;
  assert.notEqual(runFilter(prog.insns, v6tcp), 0);
  assert.equal(runFilter(prog.insns, v6udp), 0);
  for (const row of ROWS.filter((r) => r.name !== 'IPv6'))
    assert.equal(runFilter(prog.insns, row.frame) !== 0, row.accept, row.name);
});

test('a VIP with 400 ports still fits: far branches go through ja trampolines', () => {
  const ports = Array.from({ length: 400 }, (_, i) => 1000 + i * 3);
  const prog = filterProgram({ vips: ports.map((p) => ep(VIP, 'tcp', p)), arp: true });
  assert.ok(prog.exact);
  assert.ok(prog.insns.length < BPF_MAXINSNS);
  assert.ok(
    prog.insns.some((i) => i.code === (BpfClass.JMP | BpfJmp.JA)),
    'no trampoline was needed',
  );
  checkProgram(prog.insns);
  for (const p of [1000, 1000 + 150 * 3, 1000 + 399 * 3])
    assert.notEqual(runFilter(prog.insns, tcp(CLIENT, VIP, 1, p)), 0, `port ${p}`);
  for (const p of [999, 1001, 1000 + 400 * 3])
    assert.equal(runFilter(prog.insns, tcp(CLIENT, VIP, 1, p)), 0, `port ${p}`);
  assert.notEqual(runFilter(prog.insns, arpRequest()), 0);
});

test('too many rules fall back to a coarse program that still accepts every needed frame', () => {
  const spec: FilterSpec = { ...SPEC, vips: manyVips() };
  const prog = filterProgram(spec);
  assert.equal(prog.exact, false);
  assert.ok(prog.insns.length <= BPF_MAXINSNS);
  checkProgram(prog.insns);
  for (const row of ROWS.filter((r) => r.accept))
    assert.notEqual(runFilter(prog.insns, row.frame), 0, row.name);
  assert.notEqual(runFilter(prog.insns, tcp(CLIENT, '10.1.19.135', 1, 80)), 0);
  assert.equal(runFilter(prog.insns, etherType(0x86dd)), 0, 'IPv6 is not asked for');
  assert.equal(runFilter(prog.insns, withIp(unrelated, { proto: 47 })), 0, 'GRE is not asked for');
});

test('the assembler resolves labels forward and refuses unplaced ones', () => {
  const asm = new BpfAssembler();
  const yes = asm.newLabel();
  asm.load(BpfSize.B, 0);
  asm.branch(BpfJmp.JEQ, 7, yes);
  asm.ret(0);
  asm.place(yes);
  asm.ret(1);
  const insns = asm.assemble();
  assert.deepEqual(
    insns.map((i) => [i.jt, i.jf]),
    [
      [0, 0],
      [1, 0],
      [0, 0],
      [0, 0],
    ],
  );
  assert.equal(runFilter(insns, Buffer.from([7])), 1);
  assert.equal(runFilter(insns, Buffer.from([8])), 0);
  const bad = new BpfAssembler();
  bad.branch(BpfJmp.JEQ, 1, bad.newLabel());
  bad.ret(0);
  assert.throws(() => bad.assemble(), /names no instruction/);
});
