// Frames no director should ever see, through the engine: random bytes, valid frames of every
// kind uvs handles (TCP and UDP to NAT, DR and TUN services, replies from real servers, ICMP
// errors quoting them, ARP, IPIP) with bytes flipped, lengths cut short or claimed too long,
// and random virtio_net_hdr fields (GSO types and sizes, checksum offsets). The engine must
// neither throw nor send a frame outside its buffers, and must still forward a plain request
// afterwards. Deterministic for a seed: a failure names its frame number and replays.
// Used by the unit test (1 M frames) and by bench/fuzz-engine.ts (as many as asked).
import { Director } from '../../src/daemon/director.js';
import { Engine } from '../../src/engine/engine.js';
import type { EngineEnv } from '../../src/engine/engine-env.js';
import { EngineShared } from '../../src/engine/engine-shared.js';
import { FwdMethod, type ServiceKey } from '../../src/engine/model.js';
import { Verdict } from '../../src/engine/verdict.js';
import { parseIpv4, parseMac, writeIpv4 } from '../../src/packet/addr.js';
import { writeU16 } from '../../src/packet/checksum.js';
import { EtherType, writeEthHeader } from '../../src/packet/ethernet.js';
import { FIRST_FRAME_OFFSET, MAX_FRAME } from '../../src/packet/frame-layout.js';
import { ipv4SetChecksum } from '../../src/packet/ipv4.js';
import { VNET_HDR_LEN } from '../../src/packet/virtio-net-hdr.js';
import { SeededRandom } from '../../test/helpers/seeded-random.js';

const CLIENT_IF = 2;
const SERVER_IF = 3;
const DIR_MAC = parseMac('02:dd:00:00:00:01');
const NEIGHBOUR_MAC = parseMac('02:51:00:00:00:01');
const NAT_VIP = '192.168.10.23';
const DR_VIP = '192.168.20.23';
const SERVERS = ['192.168.20.1', '192.168.20.2'];
const CLIENTS = ['192.168.10.1', '192.168.10.2', '10.1.2.3'];
const PORTS = [80, 53, 443, 8080];

export interface FuzzResult {
  readonly frames: number;
  readonly verdicts: Record<'notOurs' | 'forward' | 'reply' | 'drop', number>;
  readonly sent: number;
  /** The connections in the table at the end. */
  readonly connections: number;
  /** A plain SYN to the NAT service after the run: forwarded (the engine still works). */
  readonly stillForwards: boolean;
}

/** A director with NAT, DR, TUN, UDP and persistent services, as the engine sees it. */
function fuzzDirector(shared: EngineShared, engine: Engine, now: () => number): Director {
  const iface = (ifIndex: number, addr: string) => ({
    ifIndex,
    mac: [...DIR_MAC],
    mtu: 1500,
    address: parseIpv4(addr),
  });
  const director = new Director(
    shared,
    now,
    (snap) => engine.configure(snap),
    () => ({
      interfaces: [iface(CLIENT_IF, '192.168.10.254'), iface(SERVER_IF, '192.168.20.254')],
      localAddresses: [],
      markIfIndex: -1,
    }),
  );
  const add = (key: ServiceKey, method: FwdMethod, scheduler: string, persistent = false): void => {
    director.addService({
      key,
      scheduler,
      ...(persistent ? { persistence: { timeout: 60, netmask: '255.255.255.0' } } : {}),
    });
    for (const addr of SERVERS) {
      const port =
        key.kind === 'addr' && method === FwdMethod.Masq
          ? 8080
          : key.kind === 'addr'
            ? key.port
            : 0;
      director.addDest(key, {
        addr,
        port,
        method,
        weight: 1,
        upperThreshold: 0,
        lowerThreshold: 0,
      });
    }
  };
  add({ kind: 'addr', proto: 'tcp', vip: NAT_VIP, port: 80 }, FwdMethod.Masq, 'rr');
  add({ kind: 'addr', proto: 'udp', vip: NAT_VIP, port: 53 }, FwdMethod.Masq, 'wlc');
  add({ kind: 'addr', proto: 'tcp', vip: NAT_VIP, port: 443 }, FwdMethod.Masq, 'sh', true);
  add({ kind: 'addr', proto: 'tcp', vip: DR_VIP, port: 80 }, FwdMethod.Route, 'wrr');
  add({ kind: 'addr', proto: 'tcp', vip: DR_VIP, port: 8080 }, FwdMethod.Tunnel, 'lc');
  for (const d of director.table.activeDests()) {
    d.ifIndex = SERVER_IF;
    d.tunnelSrc = parseIpv4('192.168.20.254');
  }
  director.republish();
  return director;
}

/** Writes a well-formed frame of a random kind at `o`; returns its length. */
function validFrame(r: SeededRandom, b: Buffer, o: number): number {
  const kind = r.int(8);
  if (kind === 0) {
    // ARP request or reply for a VIP or a server.
    writeEthHeader(b, DIR_MAC, NEIGHBOUR_MAC, EtherType.ARP, o);
    const a = o + 14;
    b.writeUInt32BE(0x00010800, a);
    b.writeUInt16BE(0x0604, a + 4);
    b.writeUInt16BE(r.int(1, 3), a + 6);
    NEIGHBOUR_MAC.copy(b, a + 8);
    writeIpv4(b, a + 14, parseIpv4(SERVERS[r.int(2)]!));
    writeIpv4(b, a + 24, parseIpv4(r.int(2) ? NAT_VIP : DR_VIP));
    return 42;
  }
  const fromServer = kind === 1 || kind === 2;
  const proto = r.int(4) === 0 ? 17 : kind === 3 ? 1 : kind === 4 ? 4 : 6;
  const src = fromServer ? SERVERS[r.int(2)]! : CLIENTS[r.int(CLIENTS.length)]!;
  const dst = fromServer ? CLIENTS[r.int(CLIENTS.length)]! : r.int(2) ? NAT_VIP : DR_VIP;
  const payload = r.int(4) === 0 ? r.int(0, 1400) : r.int(0, 64);
  const l4len = proto === 6 ? 20 : proto === 17 ? 8 : proto === 1 ? 8 + 28 : 20 + 20;
  writeEthHeader(b, DIR_MAC, NEIGHBOUR_MAC, EtherType.IPv4, o);
  const ip = o + 14;
  const total = 20 + l4len + payload;
  b[ip] = 0x45;
  b[ip + 1] = r.int(256);
  writeU16(b, ip + 2, total);
  writeU16(b, ip + 4, r.int(0x10000));
  writeU16(b, ip + 6, r.int(4) === 0 ? r.int(0x10000) : 0x4000);
  b[ip + 8] = r.int(4) === 0 ? r.int(3) : 64;
  b[ip + 9] = proto;
  writeIpv4(b, ip + 12, parseIpv4(src));
  writeIpv4(b, ip + 16, parseIpv4(dst));
  ipv4SetChecksum(b, ip);
  const l4 = ip + 20;
  const port = PORTS[r.int(PORTS.length)]!;
  const ephemeral = 40000 + r.int(64);
  writeU16(b, l4, fromServer ? (r.int(2) ? 8080 : port) : ephemeral);
  writeU16(b, l4 + 2, fromServer ? ephemeral : port);
  if (proto === 6) {
    b.writeUInt32BE(r.next32(), l4 + 4);
    b.writeUInt32BE(r.next32(), l4 + 8);
    b[l4 + 12] = (5 + (r.int(8) === 0 ? r.int(11) : 0)) << 4;
    b[l4 + 13] = [0x02, 0x10, 0x18, 0x11, 0x04, 0x12, r.int(256)][r.int(7)]!;
  } else if (proto === 17) {
    writeU16(b, l4 + 4, 8 + payload);
  } else if (proto === 1) {
    // An ICMP error quoting a packet of a connection (either way).
    b[l4] = [3, 11, 12, 4][r.int(4)]!;
    b[l4 + 1] = r.int(16);
    const q = l4 + 8;
    b[q] = 0x45;
    writeU16(b, q + 2, r.int(20, 1500));
    b[q + 8] = 64;
    b[q + 9] = r.int(2) ? 6 : 17;
    writeIpv4(b, q + 12, parseIpv4(dst));
    writeIpv4(b, q + 16, parseIpv4(src));
    writeU16(b, q + 20, port);
    writeU16(b, q + 22, ephemeral);
  } else {
    // IPIP: an inner IPv4 header.
    b[l4] = 0x45;
    writeU16(b, l4 + 2, 20 + 20 + payload);
    b[l4 + 9] = 6;
    writeIpv4(b, l4 + 12, parseIpv4(CLIENTS[0]!));
    writeIpv4(b, l4 + 16, parseIpv4(DR_VIP));
  }
  return 14 + total;
}

/** Random virtio_net_hdr fields (in a fifth of frames; zero otherwise). */
function vnetHeader(r: SeededRandom, b: Buffer, frame: number): void {
  const h = frame - VNET_HDR_LEN;
  b.fill(0, h, frame);
  if (r.int(5) !== 0) return;
  b[h] = r.int(4);
  b[h + 1] = [0, 1, 3, 4, 5, 0x81, r.int(256)][r.int(7)]!;
  b.writeUInt16LE(r.int(4) === 0 ? r.int(0x10000) : r.int(60), h + 2);
  b.writeUInt16LE(r.int(4) === 0 ? r.int(0x10000) : r.int(1, 1500), h + 4);
  b.writeUInt16LE(r.int(4) === 0 ? r.int(0x10000) : 34, h + 6);
  b.writeUInt16LE(r.int(4) === 0 ? r.int(0x10000) : [16, 6][r.int(2)]!, h + 8);
}

/**
 * Runs `frames` fuzzed frames through a fresh engine. `progress(done)` is called every 2^16
 * frames. Throws (naming the frame) when the engine throws or sends outside its buffers.
 */
export function fuzzEngine(
  frames: number,
  seed: number,
  progress: (done: number) => void = () => {},
): FuzzResult {
  const r = new SeededRandom(seed);
  let now = 1_000_000;
  let resolveAll = false;
  const env: EngineEnv = {
    // Some next hops resolve, some do not (a request is sent instead), until the final check.
    neighbourMac: (ip) => (resolveAll || (ip & 1) === 1 ? NEIGHBOUR_MAC : undefined),
    requestNeighbour: () => {},
  };
  const buf = Buffer.alloc(FIRST_FRAME_OFFSET + MAX_FRAME);
  let sent = 0;
  let current = 0;
  const shared = EngineShared.create(1 << 12, now);
  const engine = new Engine(shared, env, {
    send: (b, off, len) => {
      if (off < 0 || len <= 0 || len > MAX_FRAME || off + len > b.length)
        throw new Error(`frame ${current}: the engine sent ${len} bytes at ${off} of ${b.length}`);
      sent++;
    },
  });
  fuzzDirector(shared, engine, () => now);
  const verdicts = { notOurs: 0, forward: 0, reply: 0, drop: 0 };
  const off = FIRST_FRAME_OFFSET;
  for (current = 0; current < frames; current++) {
    const mode = r.int(10);
    let len: number;
    if (mode === 0) {
      len = r.int(0, 200);
      r.bytes(len).copy(buf, off);
    } else {
      len = validFrame(r, buf, off);
      const flips = mode < 4 ? r.int(1, 6) : 0;
      for (let k = 0; k < flips; k++) buf[off + r.int(Math.max(1, Math.min(len, 80)))] = r.int(256);
      if (mode === 4) len = r.int(0, len + 1); // cut short
    }
    vnetHeader(r, buf, off);
    let v: Verdict;
    try {
      v = engine.process(
        buf,
        off,
        len,
        r.int(8) === 0 ? 99 : r.int(2) ? CLIENT_IF : SERVER_IF,
        now,
      );
    } catch (err) {
      throw new Error(`frame ${current} (seed ${seed}): ${(err as Error).stack ?? String(err)}`);
    }
    verdicts[(['notOurs', 'forward', 'reply', 'drop'] as const)[v]]++;
    engine.arena.reset();
    engine.endBatch();
    now += r.int(3);
    if ((current & 0xfff) === 0) engine.tick(now);
    if ((current & 0xffff) === 0) progress(current);
  }
  // A plain SYN to the NAT service still gets through.
  resolveAll = true;
  const len = 14 + 40;
  writeEthHeader(buf, DIR_MAC, NEIGHBOUR_MAC, EtherType.IPv4, off);
  const ip = off + 14;
  buf.fill(0, ip, ip + 40);
  buf[ip] = 0x45;
  writeU16(buf, ip + 2, 40);
  buf[ip + 8] = 64;
  buf[ip + 9] = 6;
  writeIpv4(buf, ip + 12, parseIpv4('192.168.10.77'));
  writeIpv4(buf, ip + 16, parseIpv4(NAT_VIP));
  ipv4SetChecksum(buf, ip);
  writeU16(buf, ip + 20, 50000);
  writeU16(buf, ip + 22, 80);
  buf[ip + 32] = 0x50;
  buf[ip + 33] = 0x02;
  buf.fill(0, off - VNET_HDR_LEN, off);
  const stillForwards = engine.process(buf, off, len, CLIENT_IF, now) === Verdict.Forward;
  let connections = 0;
  for (let i = 0; i < shared.conns.capacity; i++) if (shared.conns.isUsed(i)) connections++;
  return { frames, verdicts, sent, connections, stillForwards };
}
