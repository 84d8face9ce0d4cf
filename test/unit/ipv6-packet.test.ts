import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIpv6, parseIpv6Words, readIpv6Words } from '../../src/packet/addr.js';
import { finish, readU16, sum16, writeU16 } from '../../src/packet/checksum.js';
import {
  csumReplace128,
  csumReplace128Words,
  l4ChecksumOk6,
  l4CsumOffset6,
  partialPseudoHeader6,
  partialReplace128,
  partialReplace128Words,
  setL4Checksum6,
} from '../../src/packet/checksum6.js';
import {
  Ipv6,
  Ipv6ChainStatus,
  ipv6FlowLabel,
  ipv6HeaderOk,
  ipv6PacketEnd,
  ipv6TrafficClass,
  newIpv6Chain,
  NextHeader,
  setIpv6TrafficClass,
  walkIpv6Chain,
} from '../../src/packet/ipv6.js';
import { buildFrame6, type Frame6Spec } from './fixtures/frames6.js';
import { tsharkDissect } from './fixtures/pcap.js';
import { SeededRandom } from '../helpers/seeded-random.js';

const IP = 14;
const base: Frame6Spec = { src: '2001:db8:10::1', dst: '2001:db8:10::100', proto: 'tcp' };
const HBH = { type: NextHeader.HopByHop };
const DST = { type: NextHeader.DestOptions };
const RT = { type: NextHeader.Routing };

const chainRows: {
  name: string;
  spec: Frame6Spec;
  status: Ipv6ChainStatus;
  proto?: number;
  /** Upper-layer offset from the IPv6 header. */
  l4?: number;
  frag?: number;
}[] = [
  { name: 'plain TCP', spec: base, status: Ipv6ChainStatus.Upper, proto: 6, l4: 40 },
  {
    name: 'hop-by-hop then UDP',
    spec: { ...base, proto: 'udp', ext: [HBH] },
    status: Ipv6ChainStatus.Upper,
    proto: 17,
    l4: 48,
  },
  {
    name: 'hop-by-hop, destination options (24 bytes), routing, AH, destination options, TCP',
    spec: { ...base, ext: [HBH, { ...DST, extraUnits: 2 }, RT, { type: NextHeader.AH }, DST] },
    status: Ipv6ChainStatus.Upper,
    proto: 6,
    l4: 40 + 8 + 24 + 8 + 24 + 8,
  },
  {
    name: 'hop-by-hop after destination options',
    spec: { ...base, ext: [DST, HBH] },
    status: Ipv6ChainStatus.Malformed,
  },
  {
    name: 'first fragment',
    spec: { ...base, ext: [{ type: NextHeader.Fragment, more: true }] },
    status: Ipv6ChainStatus.Fragment,
    proto: 6,
    l4: 48,
    frag: 40,
  },
  {
    name: 'later fragment behind a routing header',
    spec: { ...base, proto: 'udp', ext: [RT, { type: NextHeader.Fragment, fragOffset: 185 }] },
    status: Ipv6ChainStatus.Fragment,
    proto: 17,
    frag: 48,
  },
  {
    name: 'atomic fragment (RFC 6946): a whole packet',
    spec: { ...base, ext: [{ type: NextHeader.Fragment }] },
    status: Ipv6ChainStatus.Upper,
    proto: 6,
    l4: 48,
    frag: 40,
  },
  {
    name: 'eight extension headers',
    spec: { ...base, ext: Array<typeof DST>(8).fill(DST) },
    status: Ipv6ChainStatus.Upper,
    proto: 6,
    l4: 40 + 64,
  },
  {
    name: 'nine extension headers',
    spec: { ...base, ext: Array<typeof DST>(9).fill(DST) },
    status: Ipv6ChainStatus.Malformed,
  },
  {
    name: 'ICMPv6',
    spec: { ...base, proto: 'icmpv6', ext: [HBH] },
    status: Ipv6ChainStatus.Upper,
    proto: 58,
    l4: 48,
  },
];

test('the next-header chain walk reports the upper layer, fragments and malformed chains', () => {
  const chain = newIpv6Chain();
  for (const r of chainRows) {
    const f = buildFrame6(r.spec);
    const end = ipv6PacketEnd(f, IP, f.length);
    assert.equal(end, f.length, r.name);
    assert.equal(walkIpv6Chain(f, IP, end, chain), r.status, r.name);
    if (r.proto !== undefined) assert.equal(chain.proto, r.proto, r.name);
    if (r.l4 !== undefined) assert.equal(chain.l4, IP + r.l4, r.name);
    assert.equal(chain.fragHeader, r.frag === undefined ? -1 : IP + r.frag, r.name);
  }
});

test('other next headers are upper layers: ESP, IPv6-in-IPv6, no next header', () => {
  const chain = newIpv6Chain();
  for (const nh of [NextHeader.ESP, NextHeader.IPv6, NextHeader.NoNext, NextHeader.IPIP]) {
    const f = buildFrame6(base);
    f[IP + Ipv6.NextHeader] = nh;
    assert.equal(walkIpv6Chain(f, IP, f.length, chain), Ipv6ChainStatus.Upper);
    assert.equal(chain.proto, nh);
    assert.equal(chain.l4, IP + 40);
  }
});

test('a truncated chain is malformed, and the walk never depends on bytes past the end', () => {
  const chain = newIpv6Chain();
  const specs = chainRows.map((r) => r.spec);
  for (const spec of specs) {
    const f = buildFrame6(spec);
    for (let end = IP + 40; end <= f.length; end++) {
      // The same bytes up to `end`, then 0x00 (hop-by-hop) or 0xff past it.
      const results = [0x00, 0xff].map((fill) => {
        const b = Buffer.alloc(f.length + 64, fill);
        f.copy(b, 0, 0, end);
        const status = walkIpv6Chain(b, IP, end, chain);
        return [status, chain.proto, chain.l4, chain.fragHeader].join();
      });
      assert.equal(results[0], results[1], `end ${end}`);
      const status = Number(results[0]!.split(',')[0]);
      const headersEnd = chainRows.find((r) => r.spec === spec)!.l4;
      if (headersEnd !== undefined && end < IP + headersEnd) {
        assert.equal(status, Ipv6ChainStatus.Malformed, `end ${end} inside the chain`);
      }
    }
  }
});

test('header checks: version, payload length, jumbograms; traffic class and flow label', () => {
  const f = buildFrame6({ ...base, trafficClass: 0xb8, payload: 'abc' });
  assert.ok(ipv6HeaderOk(f, IP, f.length));
  assert.equal(ipv6PacketEnd(f, IP, f.length + 10), f.length, 'Ethernet padding is not payload');
  assert.equal(ipv6PacketEnd(f, IP, f.length - 1), undefined, 'payload past the frame');
  assert.equal(ipv6HeaderOk(f, IP, IP + 39), false);
  assert.equal(ipv6TrafficClass(f, IP), 0xb8);
  setIpv6TrafficClass(f, IP, 0x2e);
  assert.equal(ipv6TrafficClass(f, IP), 0x2e);
  assert.equal(ipv6FlowLabel(f, IP), 0);
  const jumbo = Buffer.from(f);
  writeU16(jumbo, IP + Ipv6.PayloadLen, 0);
  assert.equal(ipv6PacketEnd(jumbo, IP, jumbo.length), undefined);
  const v4 = Buffer.from(f);
  v4[IP] = 0x45;
  assert.equal(ipv6HeaderOk(v4, IP, v4.length), false);
});

const PROTOS = ['tcp', 'udp', 'icmpv6'] as const;
const NH = { tcp: 6, udp: 17, icmpv6: 58 } as const;

test('full checksums with the IPv6 pseudo-header equal the RFC definition', () => {
  const rnd = new SeededRandom(6);
  for (let n = 0; n < 300; n++) {
    const proto = PROTOS[n % 3]!;
    const f = buildFrame6({ ...base, proto, payload: rnd.bytes(rnd.int(0, 200)) });
    const l4 = IP + 40;
    const field = l4 + l4CsumOffset6(NH[proto]);
    const expected = readU16(f, field);
    assert.ok(l4ChecksumOk6(f, IP, l4, f.length - l4, NH[proto]));
    writeU16(f, field, 0x1234);
    assert.equal(l4ChecksumOk6(f, IP, l4, f.length - l4, NH[proto]), false);
    setL4Checksum6(f, IP, l4, f.length - l4, NH[proto]);
    assert.equal(readU16(f, field), expected, `round ${n}`);
  }
});

/** Rewrites the address at `at` to `to`, fixing the L4 checksum incrementally, two ways. */
function rewrite(f: Buffer, at: number, to: Buffer, proto: number, words: boolean): void {
  const field = IP + 40 + l4CsumOffset6(proto);
  const csum = readU16(f, field);
  let next: number;
  if (words) {
    const old = new Uint32Array(4);
    const neu = new Uint32Array(4);
    readIpv6Words(f, at, old);
    readIpv6Words(to, 0, neu);
    next = csumReplace128Words(csum, old, 0, neu, 0);
  } else {
    next = csumReplace128(csum, f, at, to, 0);
  }
  to.copy(f, at);
  writeU16(f, field, next);
}

test('RFC 1624 updates for a 128-bit address change equal a full recompute (2000 rewrites)', () => {
  const rnd = new SeededRandom(1624);
  for (let n = 0; n < 2000; n++) {
    const proto = PROTOS[n % 3]!;
    const f = buildFrame6({ ...base, proto, payload: rnd.bytes(rnd.int(0, 100)) });
    const at = IP + (n % 4 < 2 ? Ipv6.Src : Ipv6.Dst);
    rewrite(f, at, rnd.bytes(16), NH[proto], n % 2 === 0);
    const l4 = IP + 40;
    assert.ok(l4ChecksumOk6(f, IP, l4, f.length - l4, NH[proto]), `round ${n}`);
  }
});

test('CHECKSUM_PARTIAL: the pseudo-header field follows an address change; completing it verifies', () => {
  const rnd = new SeededRandom(7);
  for (let n = 0; n < 500; n++) {
    const proto = n % 2 ? 'tcp' : 'udp';
    const f = buildFrame6({ ...base, proto, payload: rnd.bytes(rnd.int(1, 300)) });
    const l4 = IP + 40;
    const len = f.length - l4;
    const field = l4 + l4CsumOffset6(NH[proto]);
    // What a sender with tx offload leaves: the folded pseudo-header sum only.
    writeU16(f, field, partialPseudoHeader6(f, IP, len, NH[proto]));
    const to = rnd.bytes(16);
    const at = IP + (n % 4 < 2 ? Ipv6.Src : Ipv6.Dst);
    const before = readU16(f, field);
    const after =
      n % 3 === 0
        ? partialReplace128Words(
            before,
            (() => {
              const w = new Uint32Array(4);
              readIpv6Words(f, at, w);
              return w;
            })(),
            0,
            (() => {
              const w = new Uint32Array(4);
              readIpv6Words(to, 0, w);
              return w;
            })(),
            0,
          )
        : partialReplace128(before, f, at, to, 0);
    to.copy(f, at);
    writeU16(f, field, after);
    assert.equal(after, partialPseudoHeader6(f, IP, len, NH[proto]), `round ${n}`);
    // The NIC sums from csum_start (the L4 header) with the field as it is, and stores ~sum.
    writeU16(f, field, finish(sum16(f, l4, len)));
    assert.ok(l4ChecksumOk6(f, IP, l4, len, NH[proto]), `completed, round ${n}`);
  }
});

test('tshark finds the checksums of hand-built and rewritten IPv6 frames correct', () => {
  const rnd = new SeededRandom(41);
  const frames: Buffer[] = [];
  for (const proto of PROTOS) {
    frames.push(buildFrame6({ ...base, proto, payload: rnd.bytes(64) }));
    frames.push(buildFrame6({ ...base, proto, ext: [HBH, DST], payload: rnd.bytes(33) }));
    const nat = buildFrame6({ ...base, proto, payload: rnd.bytes(100) });
    rewrite(nat, IP + Ipv6.Dst, parseIpv6('2001:db8:20::11'), NH[proto], false);
    frames.push(nat);
    const snat = buildFrame6({ ...base, proto, payload: rnd.bytes(7) });
    rewrite(snat, IP + Ipv6.Src, parseIpv6('fd00:aa::5'), NH[proto], true);
    frames.push(snat);
  }
  const dissected = tsharkDissect(frames);
  assert.equal(dissected.length, frames.length);
  dissected.forEach((d, k) => {
    assert.match(d, /Internet Protocol Version 6/, `frame ${k + 1}`);
    assert.match(d, /\[Checksum Status: Good\]/, `frame ${k + 1}:\n${d}`);
    assert.doesNotMatch(d, /Bad|incorrect|Malformed/i, `frame ${k + 1}:\n${d}`);
  });
  assert.match(dissected[2]!, /Destination Address: 2001:db8:20::11/);
  assert.match(dissected[3]!, /Source Address: fd00:aa::5/);
  assert.equal([...parseIpv6Words('fd00:aa::5')][0], 0xfd0000aa);
});
