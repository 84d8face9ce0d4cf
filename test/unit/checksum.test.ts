import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  csumReplace16,
  csumReplace32,
  finish,
  fold,
  pseudoHeaderSum,
  readU16,
  sum16,
  writeU16,
} from '../../src/packet/checksum.js';
import { Ipv4, ipv4ChecksumOk } from '../../src/packet/ipv4.js';
import { decrementTtl, rewriteEndpoint } from '../../src/engine/forward/rewrite.js';
import { parseIpv4 } from '../../src/packet/addr.js';
import { SeededRandom } from '../helpers/seeded-random.js';
import { buildFrame, checksumsOk } from './fixtures/frames.js';

test('checksum of RFC 1071 example data', () => {
  const data = Buffer.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
  assert.equal(finish(sum16(data, 0, data.length)), ~0xddf2 & 0xffff);
});

test('incremental 16- and 32-bit updates equal a full recompute over 2000 random rewrites', () => {
  const random = new SeededRandom(1071);
  for (let n = 0; n < 2000; n++) {
    const len = 2 * random.int(4, 40);
    const data = random.bytes(len);
    const csum = finish(sum16(data, 0, len));
    if (n % 2 === 0) {
      const off = 2 * random.int(0, len / 2);
      const old = readU16(data, off);
      const nv = random.int(0, 0x10000);
      writeU16(data, off, nv);
      const expected = finish(sum16(data, 0, len));
      const got = csumReplace16(csum, old, nv);
      // 0x0000 and 0xffff are the same value in one's complement arithmetic.
      assert.ok(got === expected || (got ^ expected) === 0xffff, `16-bit round ${n}`);
    } else {
      const off = 2 * random.int(0, len / 2 - 1);
      const old = data.readUInt32BE(off);
      const nv = random.int(0, 0x10000) * 0x10000 + random.int(0, 0x10000);
      data.writeUInt32BE(nv, off);
      const expected = finish(sum16(data, 0, len));
      const got = csumReplace32(csum, old, nv);
      assert.ok(got === expected || (got ^ expected) === 0xffff, `32-bit round ${n}`);
    }
  }
});

test('DNAT and SNAT rewrites keep IP and L4 checksums valid for random TCP and UDP frames', () => {
  const random = new SeededRandom(1624);
  for (let n = 0; n < 500; n++) {
    const proto = n % 2 ? 'tcp' : 'udp';
    const frame = buildFrame({
      src: `10.${random.int(256)}.${random.int(256)}.${random.int(1, 255)}`,
      dst: '192.168.10.23',
      proto,
      sport: random.int(1024, 65536),
      dport: 80,
      payload: random.bytes(random.int(0, 300)),
    });
    const ip = 14;
    const l4 = 34;
    const rip = parseIpv4(`192.168.20.${random.int(1, 255)}`);
    rewriteEndpoint(
      frame,
      ip,
      l4,
      proto === 'tcp' ? 6 : 17,
      'dst',
      parseIpv4('192.168.10.23'),
      rip,
      80,
      random.int(1, 65536),
      false,
    );
    assert.ok(decrementTtl(frame, ip));
    assert.ok(checksumsOk(frame), `frame ${n} after DNAT`);
    rewriteEndpoint(
      frame,
      ip,
      l4,
      proto === 'tcp' ? 6 : 17,
      'src',
      frame.readUInt32BE(ip + Ipv4.Src),
      parseIpv4('192.168.10.23'),
      frame.readUInt16BE(l4),
      80,
      false,
    );
    assert.ok(checksumsOk(frame), `frame ${n} after SNAT`);
  }
});

test('a UDP datagram without checksum keeps checksum 0 after NAT', () => {
  const frame = buildFrame({
    src: '10.0.0.1',
    dst: '10.0.0.2',
    proto: 'udp',
    sport: 5000,
    dport: 53,
    payload: 'x',
    udpNoChecksum: true,
  });
  rewriteEndpoint(
    frame,
    14,
    34,
    17,
    'dst',
    parseIpv4('10.0.0.2'),
    parseIpv4('10.0.0.9'),
    53,
    5353,
    false,
  );
  assert.equal(frame.readUInt16BE(34 + 6), 0);
  assert.ok(ipv4ChecksumOk(frame, 14));
});

test('TTL 1 is not forwarded', () => {
  const frame = buildFrame({
    src: '10.0.0.1',
    dst: '10.0.0.2',
    proto: 'tcp',
    sport: 1,
    dport: 2,
    ttl: 1,
  });
  assert.equal(decrementTtl(frame, 14), false);
});

test('a partial checksum (CHECKSUM_PARTIAL) gets the pseudo-header update only, and completes right', () => {
  // A frame as a local sender's offload leaves it: the L4 checksum field holds the folded
  // pseudo-header sum; the NIC (or the kernel) sums from the L4 header on and stores the result.
  const random = new SeededRandom(7);
  for (let n = 0; n < 500; n++) {
    const proto = n % 2 ? 'tcp' : 'udp';
    const frame = buildFrame({
      src: `10.0.${n % 250}.${1 + (n % 200)}`,
      dst: '192.168.10.23',
      proto,
      sport: 1024 + n,
      dport: 80,
      payload: random.bytes(random.int(300)),
    });
    const ip = 14;
    const l4 = 34;
    const csumAt = l4 + (proto === 'tcp' ? 16 : 6);
    const l4len = frame.length - l4;
    const p = proto === 'tcp' ? 6 : 17;
    const partial = (): number =>
      fold(
        pseudoHeaderSum(
          frame.readUInt32BE(ip + Ipv4.Src),
          frame.readUInt32BE(ip + Ipv4.Dst),
          p,
          l4len,
        ),
      );
    frame.writeUInt16BE(partial(), csumAt);
    const rip = parseIpv4(`192.168.20.${1 + (n % 250)}`);
    rewriteEndpoint(frame, ip, l4, p, 'dst', parseIpv4('192.168.10.23'), rip, 80, 8000 + n, true);
    assert.equal(
      frame.readUInt16BE(csumAt),
      partial(),
      `frame ${n}: pseudo-header sum of the new addresses`,
    );
    // What the NIC does: sum from the L4 header (the field included), store the complement.
    frame.writeUInt16BE(finish(sum16(frame, l4, l4len)), csumAt);
    assert.ok(checksumsOk(frame), `frame ${n} once completed`);
  }
});
