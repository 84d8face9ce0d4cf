// Golden text of `uvsadm --trace` for hand-built frames: an LVS-NAT request and its reply, an
// LVS-DR request, an LVS-TUN request and a dropped frame. The frames after the rewrite are
// built by hand with the fields IPVS would give them (and correct checksums).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseIpv4, writeIpv4 } from '../../src/packet/addr.js';
import { ETH_HLEN } from '../../src/packet/ethernet.js';
import { Ipv4, ipv4SetChecksum } from '../../src/packet/ipv4.js';
import { formatTrace, type TraceMeta } from '../../src/trace/trace-line.js';
import { buildFrame, type FrameSpec } from './fixtures/frames.js';

const goldenPath = (name: string): string =>
  fileURLToPath(new URL(`../../../test/golden/${name}`, import.meta.url));
/** UPDATE_GOLDEN=1 rewrites the files (then review the diff). */
function checkGolden(name: string, text: string): void {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenPath(name), text);
  assert.equal(text, readFileSync(goldenPath(name), 'utf8'));
}

const CLIENT_MAC = '02:c1:00:00:00:01';
const DIR_CLIENT_MAC = '02:dd:00:00:00:01';
const DIR_SERVER_MAC = '02:dd:00:00:00:02';
const S1_MAC = '02:51:00:00:00:01';
const T0 = 1_795_750_641; // 2026-11-27 03:37:21 UTC

const meta = (seq: number, usec: number, m: Partial<TraceMeta>): TraceMeta => ({
  seq,
  tsSec: T0,
  tsNsec: usec * 1000,
  inIf: 'eth1',
  verdict: 'forward',
  ...m,
});

const syn: FrameSpec = {
  srcMac: CLIENT_MAC,
  dstMac: DIR_CLIENT_MAC,
  src: '192.168.10.1',
  dst: '192.168.10.23',
  proto: 'tcp',
  sport: 40000,
  dport: 80,
  flags: 0x02,
};

test('trace of an LVS-NAT request and its reply (golden)', () => {
  const synOut = {
    ...syn,
    srcMac: DIR_SERVER_MAC,
    dstMac: S1_MAC,
    dst: '192.168.20.1',
    dport: 8080,
    ttl: 63,
  };
  const synAck: FrameSpec = {
    srcMac: S1_MAC,
    dstMac: DIR_SERVER_MAC,
    src: '192.168.20.1',
    dst: '192.168.10.1',
    proto: 'tcp',
    sport: 8080,
    dport: 40000,
    flags: 0x12,
  };
  const synAckOut = {
    ...synAck,
    srcMac: DIR_CLIENT_MAC,
    dstMac: CLIENT_MAC,
    src: '192.168.10.23',
    sport: 80,
    ttl: 63,
  };
  const text =
    formatTrace(
      buildFrame(syn),
      buildFrame(synOut),
      meta(1, 788919, {
        outIf: 'eth2',
        method: 'Masq',
        way: 'to-server',
        realServer: '192.168.20.1:8080',
        state: 'SYN_RECV',
      }),
    ) +
    formatTrace(
      buildFrame(synAck),
      buildFrame(synAckOut),
      meta(2, 789101, {
        inIf: 'eth2',
        outIf: 'eth1',
        method: 'Masq',
        way: 'to-client',
        realServer: '192.168.20.1:8080',
        state: 'ESTABLISHED',
      }),
    );
  checkGolden('trace-nat.txt', text);
});

test('trace of an LVS-DR request: only the MACs change (golden)', () => {
  const dr = { ...syn, dst: '192.168.20.23' };
  const drOut = { ...dr, srcMac: DIR_CLIENT_MAC, dstMac: S1_MAC };
  const text = formatTrace(
    buildFrame(dr),
    buildFrame(drOut),
    meta(3, 900000, {
      inIf: 'eth0',
      outIf: 'eth0',
      method: 'Route',
      way: 'to-server',
      realServer: '192.168.20.1:80',
      state: 'SYN_RECV',
    }),
  );
  checkGolden('trace-dr.txt', text);
});

/** `inner` (an Ethernet frame) inside IPIP from `src` to `dst`, as LVS-TUN sends it. */
function ipip(inner: Buffer, src: string, dst: string, srcMac: Buffer, dstMac: Buffer): Buffer {
  const out = Buffer.alloc(inner.length + 20);
  dstMac.copy(out, 0);
  srcMac.copy(out, 6);
  out.writeUInt16BE(0x0800, 12);
  inner.copy(out, ETH_HLEN + 20, ETH_HLEN);
  const o = ETH_HLEN;
  out[o] = 0x45;
  out.writeUInt16BE(inner.length - ETH_HLEN + 20, o + Ipv4.TotalLen);
  out.writeUInt16BE(0x4000, o + Ipv4.FragOff);
  out[o + Ipv4.Ttl] = 64;
  out[o + Ipv4.Proto] = 4;
  writeIpv4(out, o + Ipv4.Src, parseIpv4(src));
  writeIpv4(out, o + Ipv4.Dst, parseIpv4(dst));
  ipv4SetChecksum(out, o);
  return out;
}

test('trace of an LVS-TUN request: the outer header is marked added, the inner TTL changed (golden)', () => {
  const tun = { ...syn, dst: '192.168.20.23' };
  const inner = buildFrame({ ...tun, ttl: 63 });
  const out = ipip(
    inner,
    '192.168.20.253',
    '192.168.30.1',
    Buffer.from('02dd00000001', 'hex'),
    Buffer.from('02ee000000fe', 'hex'),
  );
  const text =
    formatTrace(
      buildFrame(tun),
      out,
      meta(4, 950000, {
        inIf: 'eth0',
        outIf: 'eth0',
        method: 'Tunnel',
        way: 'to-server',
        realServer: '192.168.30.1:80',
        state: 'SYN_RECV',
      }),
    ) +
    formatTrace(
      buildFrame({ ...syn, flags: 0x10 }),
      undefined,
      meta(5, 960000, { verdict: 'drop', dropReason: 'no_connection' }),
    );
  checkGolden('trace-tun.txt', text);
});
