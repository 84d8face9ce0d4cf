// The IPv6 section of the capture filter (bpf-ipv6.ts), run through the classic-BPF interpreter
// over a table of IPv6 frames: each row says whether uvs must see the frame.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipv6Section, type L4Endpoint6 } from '../../src/io/afpacket/bpf-ipv6.js';
import { checkProgram, runFilter } from '../../src/io/afpacket/bpf-interpreter.js';
import { filterProgram } from '../../src/io/afpacket/bpf-program.js';
import { parseIpv6, parseIpv6Words } from '../../src/packet/addr.js';
import { buildNeighborAdvert, buildNeighborSolicit } from '../../src/packet/ndp.js';
import { parseMac } from '../../src/packet/addr.js';
import { buildFrame } from './fixtures/frames.js';
import { buildFrame6 } from './fixtures/frames6.js';
import { captureFilter } from '../../src/daemon/capture-filter.js';
import { decodeProgram } from '../../src/io/afpacket/bpf-insn.js';
import { ServiceTable } from '../../src/engine/service-table.js';

const VIP = '2001:db8::100';
const VIP_ANY = '2001:db8::101';
const RIP = '2001:db8:20::11';
const RIP_UDP = '2001:db8:20::12';
const TUN_RIP = '2001:db8:30::1';
const CLIENT = '2001:db8:10::5';

const ep = (addr: string, proto: 'tcp' | 'udp', port: number): L4Endpoint6 => ({
  addr: [...parseIpv6Words(addr)],
  proto,
  port,
});

const SPEC6 = {
  vips: [ep(VIP, 'tcp', 80), ep(VIP, 'udp', 53), ep(VIP_ANY, 'tcp', 0)],
  realServers: [ep(RIP, 'tcp', 8080), ep(RIP_UDP, 'udp', 0)],
  ndp: true,
  icmpErrors: true,
  icmpAddresses: [[...parseIpv6Words(TUN_RIP)]],
};

const tcp = (src: string, dst: string, sport: number, dport: number) =>
  buildFrame6({ src, dst, proto: 'tcp', sport, dport });
const udp = (src: string, dst: string, sport: number, dport: number) =>
  buildFrame6({ src, dst, proto: 'udp', sport, dport, payload: 'x' });
const icmpError = (type: number, quoted: Buffer) =>
  buildFrame6({
    src: '2001:db8:10::fe',
    dst: VIP,
    proto: 'icmpv6',
    icmpType: type,
    payload: quoted.subarray(14),
  });

const MAC = parseMac('02:00:00:00:00:01');
const ns = (): Buffer => {
  const b = Buffer.alloc(86);
  buildNeighborSolicit(b, MAC, parseIpv6(CLIENT), 0, parseIpv6(VIP), 0);
  return b;
};
const na = (): Buffer => {
  const b = Buffer.alloc(86);
  buildNeighborAdvert(b, MAC, parseIpv6(RIP), 0, parseIpv6(CLIENT), 0, MAC, 0x60);
  return b;
};

const ROWS: { name: string; frame: Buffer; accept: boolean }[] = [
  { name: 'TCP to [VIP]:80', frame: tcp(CLIENT, VIP, 40000, 80), accept: true },
  { name: 'TCP to [VIP]:443 (no service)', frame: tcp(CLIENT, VIP, 40000, 443), accept: false },
  { name: 'UDP to [VIP]:53', frame: udp(CLIENT, VIP, 5353, 53), accept: true },
  { name: 'TCP to [VIP]:53 (UDP only)', frame: tcp(CLIENT, VIP, 5353, 53), accept: false },
  { name: 'TCP to an all-ports VIP', frame: tcp(CLIENT, VIP_ANY, 1, 12345), accept: true },
  { name: 'TCP from [RIP]:8080 (NAT reply)', frame: tcp(RIP, CLIENT, 8080, 40000), accept: true },
  { name: 'TCP from [RIP]:22', frame: tcp(RIP, CLIENT, 22, 40000), accept: false },
  { name: 'UDP from an all-ports RIP', frame: udp(RIP_UDP, CLIENT, 999, 5353), accept: true },
  { name: 'TCP to another address', frame: tcp(CLIENT, '2001:db8::1', 40000, 80), accept: false },
  {
    name: 'a fragment to the VIP (extension header)',
    frame: buildFrame6({ src: CLIENT, dst: VIP, proto: 'tcp', ext: [{ type: 44, more: true }] }),
    accept: true,
  },
  {
    name: 'destination options to another address',
    frame: buildFrame6({ src: CLIENT, dst: '2001:db8::1', proto: 'tcp', ext: [{ type: 60 }] }),
    accept: false,
  },
  { name: 'neighbour solicitation', frame: ns(), accept: true },
  { name: 'neighbour advertisement', frame: na(), accept: true },
  {
    name: 'echo request to the VIP',
    frame: buildFrame6({ src: CLIENT, dst: VIP, proto: 'icmpv6' }),
    accept: false,
  },
  {
    name: 'port unreachable quoting [VIP] → client',
    frame: icmpError(1, tcp(VIP, CLIENT, 80, 40000)),
    accept: true,
  },
  {
    name: 'packet too big quoting director → TUN real server',
    frame: icmpError(2, tcp('2001:db8:20::253', TUN_RIP, 1, 2)),
    accept: true,
  },
  {
    name: 'port unreachable about strangers',
    frame: icmpError(1, tcp(CLIENT, '2001:db8::1', 1, 2)),
    accept: false,
  },
  {
    name: 'IPv4 TCP (no IPv4 service)',
    frame: buildFrame({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', sport: 1, dport: 80 }),
    accept: false,
  },
];

test('the IPv6 section accepts what uvs handles over IPv6 and nothing else', () => {
  const prog = filterProgram({ arp: true, sections: [ipv6Section(SPEC6)] });
  assert.ok(prog.exact);
  checkProgram(prog.insns);
  for (const row of ROWS)
    assert.equal(runFilter(prog.insns, row.frame) !== 0, row.accept, row.name);
});

test('too many IPv6 rules fall back to a coarse program that still accepts every needed frame', () => {
  const many = Array.from({ length: 600 }, (_, i) =>
    ep(`2001:db8:1::${(i + 1).toString(16)}`, 'tcp', 80),
  );
  const prog = filterProgram({
    sections: [ipv6Section({ ...SPEC6, vips: [...SPEC6.vips, ...many] })],
  });
  assert.equal(prog.exact, false);
  checkProgram(prog.insns);
  for (const row of ROWS.filter((r) => r.accept))
    assert.notEqual(runFilter(prog.insns, row.frame), 0, row.name);
  assert.equal(
    runFilter(
      prog.insns,
      buildFrame6({ src: CLIENT, dst: VIP, proto: 'icmpv6', icmpType: 128 }),
    ) !== 0,
    true,
    'coarse: ICMPv6 as a whole',
  );
});

test('with VRRP running and no IPv6 service, neighbour discovery still comes in (unicast peers)', () => {
  const none = new ServiceTable();
  const accepts = (filter: Uint8Array, frame: Buffer): boolean =>
    runFilter(decodeProgram(Buffer.from(filter)), frame) > 0;
  assert.equal(accepts(captureFilter(none, true), na()), true);
  assert.equal(accepts(captureFilter(none, false), na()), false);
  assert.equal(accepts(captureFilter(none, true), tcp(CLIENT, VIP, 40000, 80)), false);
});
