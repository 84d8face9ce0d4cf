// uvs-replay without a network: hand-built captures of a NAT director's two interfaces,
// the rules as uvsadm -S -n prints them, and what the replay writes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseIpv4, parseMac } from '../../src/packet/addr.js';
import { ArpOp } from '../../src/packet/arp.js';
import { FileSink } from '../../src/pcap/byte-sink.js';
import { CaptureFormatError } from '../../src/pcap/capture.js';
import { PcapWriter } from '../../src/pcap/pcap-writer.js';
import { PcapngWriter } from '../../src/pcap/pcapng-writer.js';
import { readCaptureFile } from '../../src/pcap/read-capture.js';
import { formatSummary, replay, type ReplayOptions } from '../../src/replay/replay.js';
import { parseReplayOptions, ReplayUsageError } from '../../src/replay/replay-options.js';
import { destsWithCheckersOff } from '../../src/replay/replay-rules.js';
import { writeOffloadHints } from '../../src/replay/offload-hints.js';
import { fold, pseudoHeaderSum } from '../../src/packet/checksum.js';
import { readKeepalivedConfig } from '../../src/keepalived/config.js';
import { buildFrame, checksumsOk, fieldsOf, type FrameSpec } from './fixtures/frames.js';

const dir = mkdtempSync(join(tmpdir(), 'uvs-replay-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CLIENT_MAC = '02:c1:00:00:00:01';
const ETH1_MAC = '02:d1:00:00:00:01';
const ETH2_MAC = '02:d2:00:00:00:02';
const S1_MAC = '02:51:00:00:00:01';
const S2_MAC = '02:52:00:00:00:02';
const RULES = `-A -t 192.168.10.23:80 -s rr
-a -t 192.168.10.23:80 -r 192.168.20.1:8080 -m -w 1
-a -t 192.168.10.23:80 -r 192.168.20.2:8080 -m -w 1
`;

/** An ARP frame (request to broadcast, or reply to `tha`). */
function arp(op: ArpOp, sha: string, spa: string, tha: string, tpa: string): Buffer {
  const b = Buffer.alloc(42);
  (op === ArpOp.Request ? Buffer.alloc(6, 0xff) : parseMac(tha)).copy(b, 0);
  parseMac(sha).copy(b, 6);
  b.writeUInt16BE(0x0806, 12);
  b.writeUInt16BE(1, 14);
  b.writeUInt16BE(0x0800, 16);
  b[18] = 6;
  b[19] = 4;
  b.writeUInt16BE(op, 20);
  parseMac(sha).copy(b, 22);
  b.writeUInt32BE(parseIpv4(spa), 28);
  parseMac(tha).copy(b, 32);
  b.writeUInt32BE(parseIpv4(tpa), 38);
  return b;
}

const fromClient = (sport: number, flags: number, payload = ''): FrameSpec => ({
  srcMac: CLIENT_MAC,
  dstMac: ETH1_MAC,
  src: '192.168.10.1',
  dst: '192.168.10.23',
  proto: 'tcp',
  sport,
  dport: 80,
  flags,
  payload,
});
const fromServer = (n: 1 | 2, dport: number, flags: number): FrameSpec => ({
  srcMac: n === 1 ? S1_MAC : S2_MAC,
  dstMac: ETH2_MAC,
  src: `192.168.20.${n}`,
  dst: '192.168.10.1',
  proto: 'tcp',
  sport: 8080,
  dport,
  flags,
});

/** The director's input on eth1 (0) and eth2 (1), in order. */
const INPUT: [number, Buffer][] = [
  [1, arp(ArpOp.Reply, S1_MAC, '192.168.20.1', ETH2_MAC, '192.168.20.254')],
  [1, arp(ArpOp.Reply, S2_MAC, '192.168.20.2', ETH2_MAC, '192.168.20.254')],
  [0, buildFrame(fromClient(40001, 0x02))],
  [1, buildFrame(fromServer(1, 40001, 0x12))],
  [0, buildFrame(fromClient(40001, 0x10))],
  [0, buildFrame(fromClient(40002, 0x02))],
  [1, buildFrame(fromServer(2, 40002, 0x12))],
  [0, buildFrame(fromClient(40009, 0x10))], // no connection: dropped
  [0, buildFrame({ ...fromClient(5000, 0x02), dst: '192.168.10.254', dport: 22 })], // not ours
];

function writeInput(file: string): void {
  const w = new PcapngWriter(new FileSink(file), [{ name: 'eth1' }, { name: 'eth2' }]);
  INPUT.forEach(([iface, data], k) =>
    w.write({ data, iface, tsSec: 1_700_000_000, tsNsec: k * 1000 }),
  );
  w.close();
}

function options(extra: Partial<ReplayOptions> = {}): ReplayOptions {
  const rules = join(dir, 'rules.txt');
  writeFileSync(rules, RULES);
  const input = join(dir, 'in.pcapng');
  writeInput(input);
  return {
    rules: { kind: 'uvsadm', file: rules },
    inputs: [{ file: input }],
    output: join(dir, 'out.pcapng'),
    interfaces: [],
    neighbours: [],
    routes: [],
    ...extra,
  };
}

test('replay of a NAT capture: MACs learnt, DNAT and SNAT written with TTL and checksums, summary counts', async () => {
  const opts = options();
  const s = await replay(opts);
  assert.deepEqual(s.verdicts, { forward: 5, reply: 0, drop: 1, 'not-ours': 3 });
  assert.deepEqual(s.drops, { no_connection: 1 });
  assert.equal(s.written, 5);
  assert.match(
    s.host.join('\n'),
    /interface eth1: MAC 02:d1:00:00:00:01 \(learnt: in 5 of 5 unicast frames\)/,
  );
  assert.match(
    s.host.join('\n'),
    /interface eth2: MAC 02:d2:00:00:00:02 .*addresses 192\.168\.20\.254/,
  );
  assert.match(s.host.join('\n'), /neighbour 192\.168\.20\.1 is-at 02:51:00:00:00:01 on eth2/);
  const out = readCaptureFile(opts.output);
  assert.deepEqual(
    out.interfaces.map((i) => i.name),
    ['eth1', 'eth2'],
  );
  const rows = out.records.map((r) => ({
    iface: out.interfaces[r.iface]!.name,
    ok: checksumsOk(r.data),
    ...fieldsOf(r.data),
  }));
  const dnat = { src: '192.168.10.1', ttl: 63, ok: true };
  assert.deepEqual(rows, [
    {
      iface: 'eth2',
      ...dnat,
      dst: '192.168.20.1',
      dport: 8080,
      sport: 40001,
      srcMac: ETH2_MAC,
      dstMac: S1_MAC,
    },
    {
      iface: 'eth1',
      ok: true,
      src: '192.168.10.23',
      sport: 80,
      dst: '192.168.10.1',
      dport: 40001,
      ttl: 63,
      srcMac: ETH1_MAC,
      dstMac: CLIENT_MAC,
    },
    {
      iface: 'eth2',
      ...dnat,
      dst: '192.168.20.1',
      dport: 8080,
      sport: 40001,
      srcMac: ETH2_MAC,
      dstMac: S1_MAC,
    },
    {
      iface: 'eth2',
      ...dnat,
      dst: '192.168.20.2',
      dport: 8080,
      sport: 40002,
      srcMac: ETH2_MAC,
      dstMac: S2_MAC,
    },
    {
      iface: 'eth1',
      ok: true,
      src: '192.168.10.23',
      sport: 80,
      dst: '192.168.10.1',
      dport: 40002,
      ttl: 63,
      srcMac: ETH1_MAC,
      dstMac: CLIENT_MAC,
    },
  ]);
  assert.equal(
    out.records[0]!.tsNsec,
    2000,
    'each output frame keeps the time of the frame it came from',
  );
  assert.match(
    formatSummary(s, opts),
    /forwarded +5\n +replied +0\n +dropped +1 +\(no_connection 1\)\n +not ours +3\n.*out\.pcapng: 5 frames/,
  );
});

test('replay with one pcap file per interface (NAME=FILE) and given MACs gives the same frames', async () => {
  const files = ['eth1', 'eth2'].map((n, k) => {
    const f = join(dir, `in-${n}.pcap`);
    const w = new PcapWriter(new FileSink(f), { nanosecond: true });
    INPUT.forEach(
      ([iface, data], j) =>
        iface === k && w.write({ data, tsSec: 1_700_000_000, tsNsec: j * 1000 }),
    );
    w.close();
    return { ifName: n, file: f };
  });
  const base = options();
  const ng = await replay(base);
  const viaPcap = await replay({
    ...base,
    inputs: files,
    output: join(dir, 'out2.pcap'),
    interfaces: [
      {
        name: 'eth1',
        mac: parseMac(ETH1_MAC),
        addrs: [{ addr: parseIpv4('192.168.10.254'), len: 24 }],
      },
      {
        name: 'eth2',
        mac: parseMac(ETH2_MAC),
        addrs: [{ addr: parseIpv4('192.168.20.254'), len: 24 }],
      },
    ],
  });
  assert.deepEqual(viaPcap.verdicts, ng.verdicts);
  const a = readCaptureFile(base.output).records.map((r) => r.data.toString('hex'));
  const b = readCaptureFile(join(dir, 'out2.pcap')).records.map((r) => r.data.toString('hex'));
  assert.deepEqual(b, a);
});

test('replay without the servers ARP frames drops with no_neighbour; --neighbour fixes it', async () => {
  const base = options();
  const input = join(dir, 'in-noarp.pcapng');
  const w = new PcapngWriter(new FileSink(input), [{ name: 'eth1' }, { name: 'eth2' }]);
  INPUT.slice(2).forEach(([iface, data], k) => w.write({ data, iface, tsSec: 1, tsNsec: k }));
  w.close();
  const withNeighbours = { ...base, inputs: [{ file: input }] };
  const blind = await replay({
    ...withNeighbours,
    interfaces: [{ name: 'eth2', addrs: [{ addr: parseIpv4('192.168.20.254'), len: 24 }] }],
  });
  assert.equal(blind.drops.no_neighbour, 3);
  const told = await replay({
    ...withNeighbours,
    neighbours: [
      { ip: parseIpv4('192.168.20.1'), mac: parseMac(S1_MAC) },
      { ip: parseIpv4('192.168.20.2'), mac: parseMac(S2_MAC) },
    ],
  });
  assert.equal(told.verdicts.forward, 5);
});

test('a malformed input capture stops the replay with the record number', async () => {
  const base = options();
  const bad = join(dir, 'bad.pcapng');
  writeFileSync(bad, readFileSync(base.inputs[0]!.file).subarray(0, -10));
  await assert.rejects(replay({ ...base, inputs: [{ file: bad }] }), (err: unknown) => {
    assert.ok(err instanceof CaptureFormatError);
    assert.match(
      err.message,
      /bad\.pcapng: record 9 \(byte \d+\): block 12: block length \d+ runs past the end of the file/,
    );
    return true;
  });
});

test('a capture of Linux cooked frames (tcpdump -i any) is refused with its record', async () => {
  const base = options();
  const sll = join(dir, 'any.pcap');
  const w = new PcapWriter(new FileSink(sll), { linkType: 113 });
  w.write({ data: Buffer.alloc(60), tsSec: 1, tsNsec: 0 });
  w.close();
  await assert.rejects(
    replay({ ...base, inputs: [{ file: sll }] }),
    /any\.pcap: record 1 .*Linux cooked \(SLL\) frames: uvs-replay needs Ethernet/,
  );
});

test('rules that do not restore are refused with the line', async () => {
  const base = options();
  const rules = join(dir, 'bad-rules.txt');
  writeFileSync(
    rules,
    '-A -t 192.168.10.23:80 -s rr\n-a -t 192.168.10.23:80 -r 192.168.20.1 -w x\n',
  );
  await assert.rejects(
    replay({ ...base, rules: { kind: 'uvsadm', file: rules } }),
    /bad-rules\.txt: line 2: /,
  );
});

test('keepalived.conf with checkers off: every real server at its weight, no sorry server', () => {
  const conf = fileURLToPath(
    new URL('../../../test/keepalived/valid/course-nat.conf', import.meta.url),
  );
  const vs = readKeepalivedConfig(conf).virtualServers[0]!;
  assert.deepEqual(
    destsWithCheckersOff(vs).map((d) => [d.addr, d.port, d.weight, d.method]),
    [
      ['192.168.20.1', 80, 1, 0],
      ['192.168.20.2', 80, 1, 0],
    ],
  );
  assert.deepEqual(
    destsWithCheckersOff({ ...vs, quorum: 5 }).map((d) => [d.addr, d.weight]),
    [['192.168.20.3', 1]],
    'below quorum even with all up: the sorry server alone',
  );
});

test('uvs-replay options: NAME=FILE inputs, interfaces, neighbours, routes; errors name the flag', () => {
  const o = parseReplayOptions([
    '--rules',
    'r.txt',
    '--interface',
    'eth1=02:d1:00:00:00:01,192.168.10.254/24',
    '--neighbour',
    '192.168.20.1=02:51:00:00:00:01',
    '--route',
    '192.168.30.0/24=192.168.20.254',
    'eth1=a.pcap',
    'b.pcapng',
    'out.pcap',
  ]);
  assert.notEqual(o, 'help');
  if (o === 'help') return;
  assert.deepEqual(o.inputs, [{ ifName: 'eth1', file: 'a.pcap' }, { file: 'b.pcapng' }]);
  assert.equal(o.output, 'out.pcap');
  assert.deepEqual(o.interfaces[0]!.addrs, [{ addr: parseIpv4('192.168.10.254'), len: 24 }]);
  assert.deepEqual(o.routes, [
    { dst: { addr: parseIpv4('192.168.30.0'), len: 24 }, gateway: parseIpv4('192.168.20.254') },
  ]);
  for (const [argv, msg] of [
    [['in.pcap', 'out.pcap'], /either --rules RULES or -f keepalived.conf/],
    [['--rules', 'r', 'out.pcap'], /at least one input capture and the output/],
    [
      ['--rules', 'r', '--neighbour', '1.2.3.4=zz', 'a', 'b'],
      /--neighbour 1\.2\.3\.4=zz: invalid MAC address "zz"/,
    ],
    [
      ['--rules', 'r', '--interface', 'eth1=10.0.0.300/24', 'a', 'b'],
      /--interface eth1: invalid IPv4 address "10\.0\.0\.300"/,
    ],
    [
      ['--rules', 'r', '--route', '10.0.0.0/40=1.1.1.1', 'a', 'b'],
      /--route: bad prefix length in "10\.0\.0\.0\/40"/,
    ],
  ] as const) {
    assert.throws(
      () => parseReplayOptions(argv),
      (e: unknown) => e instanceof ReplayUsageError && msg.test(e.message),
    );
  }
});

test('offload hints: a partial checksum becomes NEEDS_CSUM, a long TCP frame GSO, a complete one nothing', () => {
  const at = 74; // FIRST_FRAME_OFFSET: room for the virtio_net_hdr before the frame
  const place = (frame: Buffer): Buffer => {
    const b = Buffer.alloc(at + frame.length);
    frame.copy(b, at);
    return b;
  };
  const complete = buildFrame(fromClient(40001, 0x10, 'GET /'));
  const b1 = place(complete);
  assert.deepEqual(writeOffloadHints(b1, at, complete.length, 1500), {
    partial: false,
    gso: false,
  });
  assert.ok(b1.subarray(at - 10, at).equals(Buffer.alloc(10)));
  // What a sender with checksum offload puts on the wire: the folded pseudo-header sum.
  const partial = Buffer.from(complete);
  const l4len = partial.readUInt16BE(16) - 20;
  partial.writeUInt16BE(
    fold(pseudoHeaderSum(parseIpv4('192.168.10.1'), parseIpv4('192.168.10.23'), 6, l4len)),
    34 + 16,
  );
  const b2 = place(partial);
  assert.deepEqual(writeOffloadHints(b2, at, partial.length, 1500), { partial: true, gso: false });
  assert.equal(b2[at - 10], 1, 'NEEDS_CSUM');
  assert.deepEqual(
    [b2.readUInt16LE(at - 4), b2.readUInt16LE(at - 2)],
    [34, 16],
    'csum_start, csum_offset',
  );
  const big = buildFrame(fromClient(40001, 0x10, 'x'.repeat(3000)));
  const b3 = place(big);
  assert.deepEqual(writeOffloadHints(b3, at, big.length, 1500), { partial: false, gso: true });
  assert.deepEqual([b3[at - 9], b3.readUInt16LE(at - 6)], [1, 1460], 'GSO TCPV4 cut at the MTU');
});
