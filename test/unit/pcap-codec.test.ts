import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MemorySink } from '../../src/pcap/byte-sink.js';
import { CaptureFormatError, type Capture } from '../../src/pcap/capture.js';
import { PcapWriter } from '../../src/pcap/pcap-writer.js';
import { PcapngWriter } from '../../src/pcap/pcapng-writer.js';
import { decodeCapture } from '../../src/pcap/read-capture.js';

// Fixtures live in test/fixtures/pcap (this file runs from dist/test/unit); see their README.
const fixture = (name: string): Buffer =>
  readFileSync(fileURLToPath(new URL(`../../../test/fixtures/pcap/${name}`, import.meta.url)));

const macOf = (b: Buffer, off: number): string =>
  [...b.subarray(off, off + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');

/** Our reading of a file, in the columns of the fixture's tshark CSV. */
function asTsharkCsv(c: Capture, pcapng: boolean): string {
  return c.records
    .map((r) =>
      [
        r.number,
        pcapng ? r.iface : '',
        r.origLen,
        r.data.length,
        `${r.tsSec}.${String(r.tsNsec).padStart(9, '0')}`,
        macOf(r.data, 6),
      ].join(','),
    )
    .join('\n');
}

for (const [file, csv, pcapng] of [
  ['tcpdump-us.pcap', 'tcpdump-us.tshark.csv', false],
  ['tcpdump-ns.pcap', 'tcpdump-ns.tshark.csv', false],
  ['dumpcap-two-interfaces.pcapng', 'dumpcap-two-interfaces.tshark.csv', true],
] as const) {
  test(`${file} reads as tshark reads it: numbers, interfaces, lengths, times, sources`, () => {
    const c = decodeCapture(fixture(file), file);
    assert.equal(c.format, pcapng ? 'pcapng' : 'pcap');
    assert.equal(asTsharkCsv(c, pcapng), fixture(csv).toString().trim());
  });
}

test('dumpcap pcapng: both interfaces are described with their names and Ethernet link type', () => {
  const c = decodeCapture(fixture('dumpcap-two-interfaces.pcapng'), 'two');
  assert.deepEqual(
    c.interfaces.map((i) => [i.name, i.linkType, i.snapLen]),
    [
      ['veth0', 1, 262144],
      ['lo', 1, 262144],
    ],
  );
  assert.equal(c.records.filter((r) => r.iface === 1).length, 2, 'the two loopback pings');
});

test('a tcpdump file read and written again is the same bytes (micro- and nanoseconds)', () => {
  for (const [file, nanosecond] of [
    ['tcpdump-us.pcap', false],
    ['tcpdump-ns.pcap', true],
  ] as const) {
    const original = fixture(file);
    const c = decodeCapture(original, file);
    const sink = new MemorySink();
    const w = new PcapWriter(sink, { nanosecond });
    for (const r of c.records) w.write(r);
    w.close();
    assert.ok(sink.bytes().equals(original), file);
  }
});

test('a big-endian pcap file reads the same as its little-endian original', () => {
  const le = fixture('tcpdump-us.pcap');
  const be = Buffer.from(le);
  const swap32 = (o: number): void => void be.writeUInt32BE(le.readUInt32LE(o), o);
  const swap16 = (o: number): void => void be.writeUInt16BE(le.readUInt16LE(o), o);
  [0, 8, 12, 16, 20].forEach(swap32);
  [4, 6].forEach(swap16);
  for (let o = 24; o < le.length; o += 16 + le.readUInt32LE(o + 8))
    [0, 4, 8, 12].forEach((k) => swap32(o + k));
  const a = decodeCapture(le, 'le');
  const b = decodeCapture(be, 'be');
  assert.deepEqual(b.records, a.records);
});

test('pcapng written by uvs reads back: interfaces, times, directions, frames', () => {
  const c = decodeCapture(fixture('dumpcap-two-interfaces.pcapng'), 'two');
  const sink = new MemorySink();
  const mac = Buffer.from([2, 0xaa, 0, 0, 0, 1]);
  const w = new PcapngWriter(sink, [{ name: 'eth1', mac }, { name: 'eth2' }]);
  c.records.forEach((r, k) => w.write({ ...r, direction: k % 2 ? 'out' : 'in' }));
  w.close();
  const back = decodeCapture(sink.bytes(), 'back');
  assert.deepEqual(
    back.interfaces.map((i) => [i.name, i.mac?.toString('hex')]),
    [
      ['eth1', '02aa00000001'],
      ['eth2', undefined],
    ],
  );
  assert.deepEqual(
    back.records.map((r) => [
      r.number,
      r.iface,
      r.tsSec,
      r.tsNsec,
      r.data.toString('hex'),
      r.direction,
    ]),
    c.records.map((r, k) => [
      r.number,
      r.iface,
      r.tsSec,
      r.tsNsec,
      r.data.toString('hex'),
      k % 2 ? 'out' : 'in',
    ]),
  );
});

test('tshark reads the pcap and pcapng files uvs writes', () => {
  const c = decodeCapture(fixture('dumpcap-two-interfaces.pcapng'), 'two');
  const dir = mkdtempSync(join(tmpdir(), 'uvs-pcap-'));
  try {
    const ng = new MemorySink();
    const w = new PcapngWriter(ng, [{ name: 'eth1' }, { name: 'eth2' }]);
    const classic = new MemorySink();
    const p = new PcapWriter(classic);
    for (const r of c.records) {
      w.write({ ...r, direction: 'out' });
      p.write(r);
    }
    writeFileSync(join(dir, 'a.pcapng'), ng.bytes());
    writeFileSync(join(dir, 'a.pcap'), classic.bytes());
    const fields = (f: string, ...extra: string[]): string[] => {
      const r = spawnSync(
        'tshark',
        ['-r', join(dir, f), '-T', 'fields', '-E', 'separator=,', ...extra],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim().split('\n');
    };
    const ngLines = fields(
      'a.pcapng',
      '-e',
      'frame.interface_name',
      '-e',
      'frame.len',
      '-e',
      'frame.time_epoch',
      '-e',
      'pkt_comment',
    );
    assert.equal(ngLines.length, c.records.length);
    assert.equal(
      ngLines[11],
      `eth2,98,${c.records[11]!.tsSec}.${String(c.records[11]!.tsNsec).padStart(9, '0')},`,
    );
    const pLines = fields('a.pcap', '-e', 'frame.len', '-e', 'ip.dst');
    assert.equal(pLines.length, c.records.length);
    assert.equal(pLines[9], '98,10.99.0.2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A pcapng block, little-endian. */
function ngBlock(type: number, body: Buffer): Buffer {
  const len = 12 + body.length;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
}

function shbAndIdb(snapLen: number): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(1, 0);
  idb.writeUInt32LE(snapLen, 4);
  return Buffer.concat([ngBlock(0x0a0d0d0a, shb), ngBlock(1, idb)]);
}

test('simple packet blocks and obsolete packet blocks are read', () => {
  const frame = Buffer.from('ffffffffffff02aa000000010806' + '00'.repeat(28), 'hex');
  const spb = Buffer.alloc(4 + 44);
  spb.writeUInt32LE(frame.length, 0);
  frame.copy(spb, 4);
  const pb = Buffer.alloc(20 + 44);
  pb.writeUInt16LE(0, 0);
  pb.writeUInt32LE(0, 4);
  pb.writeUInt32LE(5_000_000, 8); // 5 s in microseconds (the default resolution)
  pb.writeUInt32LE(frame.length, 12);
  pb.writeUInt32LE(frame.length, 16);
  frame.copy(pb, 20);
  const file = Buffer.concat([shbAndIdb(30), ngBlock(3, spb), ngBlock(2, pb)]);
  const c = decodeCapture(file, 'hand');
  assert.equal(c.records.length, 2);
  assert.equal(c.records[0]!.data.length, 30, 'an SPB is cut at the snapshot length');
  assert.equal(c.records[0]!.origLen, 42);
  assert.deepEqual(
    [c.records[1]!.tsSec, c.records[1]!.tsNsec, c.records[1]!.data.length],
    [5, 0, 42],
  );
});

const malformed: { name: string; file: () => Buffer; error: RegExp; record?: number }[] = [
  {
    name: 'a pcap file cut inside its last frame',
    file: () => fixture('tcpdump-us.pcap').subarray(0, -5),
    error:
      /^cut\.pcap: record 25 \(byte 2232\): captured length 90 runs past the end of the file \(85 bytes left\)$/,
    record: 25,
  },
  {
    name: 'a pcap record whose captured length is absurd',
    file: () => {
      const b = Buffer.from(fixture('tcpdump-us.pcap'));
      b.writeUInt32LE(10_000_000, 24 + 16 + 86 + 8); // record 2's incl_len
      return b;
    },
    error: /record 2 \(byte 126\): captured length 10000000 exceeds the snapshot length 262144/,
    record: 2,
  },
  {
    name: 'a pcap file cut inside a record header',
    file: () => fixture('tcpdump-us.pcap').subarray(0, 24 + 16 + 86 + 7),
    error: /record 2 \(byte 126\): record header cut short: 7 of 16 bytes/,
    record: 2,
  },
  {
    name: 'a file that is no capture',
    file: () => Buffer.from('GET / HTTP/1.1\r\n'),
    error: /file header \(byte 0\): neither pcap nor pcapng \(starts with 47455420\)/,
  },
  {
    name: 'a pcapng block whose trailing length differs',
    file: () => {
      const b = Buffer.from(fixture('dumpcap-two-interfaces.pcapng'));
      const c = decodeCapture(b, 'x');
      const r3 = c.records[2]!;
      const blockStart = r3.data.byteOffset - b.byteOffset - 28;
      const len = b.readUInt32LE(blockStart + 4);
      b.writeUInt32LE(len + 4, blockStart + len - 4);
      return b;
    },
    error: /record 3 \(byte \d+\): block \d+: trailing length \d+ differs from the leading \d+/,
    record: 3,
  },
  {
    name: 'a pcapng packet on an interface the section never described',
    file: () => {
      const b = Buffer.from(fixture('dumpcap-two-interfaces.pcapng'));
      const r = decodeCapture(b, 'x').records[4]!;
      b.writeUInt32LE(7, r.data.byteOffset - b.byteOffset - 20);
      return b;
    },
    error: /record 5 .*packet of interface 7, but the section describes 2 interface\(s\)/,
    record: 5,
  },
  {
    name: 'a pcapng enhanced packet whose captured length exceeds its block',
    file: () => {
      const b = Buffer.from(fixture('dumpcap-two-interfaces.pcapng'));
      const r = decodeCapture(b, 'x').records[0]!;
      b.writeUInt32LE(4000, r.data.byteOffset - b.byteOffset - 8);
      return b;
    },
    error: /record 1 .*captured length 4000 exceeds the block/,
    record: 1,
  },
];

for (const m of malformed) {
  test(`malformed capture: ${m.name} names the record and the problem`, () => {
    const name = m.name.startsWith('a pcap file cut inside its last') ? 'cut.pcap' : 'bad.cap';
    assert.throws(
      () => decodeCapture(m.file(), name),
      (err: unknown) => {
        assert.ok(err instanceof CaptureFormatError);
        assert.match(err.message, m.error);
        assert.equal(err.record, m.record);
        assert.equal(err.code, 'E_CAPTURE_FORMAT');
        return true;
      },
    );
  });
}
