// The IPv6 half of a thread's configuration (LiveConfig holds it as `v6`): services by
// (protocol, VIP, port) and by firewall mark, the VIPs, the director's own IPv6 addresses and
// those of each interface. Addresses come as four uint32 words at an offset (a frame's, copied
// into FrameFields); lookups hash them to a number and compare the words of the few entries under
// that number, so that nothing is allocated per frame.
import { IpProto } from '../packet/ipv4.js';
import type { EngineSnapshot } from './snapshot.js';

/** A 32-bit key of the address at `a[o]` (and a port): equal addresses, equal keys. */
export function key6(a: Uint32Array, o: number, port: number): number {
  let h = Math.imul(a[o]! ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ a[o + 1]!, 0xc2b2ae35);
  h = Math.imul(h ^ a[o + 2]!, 0x85ebca6b);
  h = Math.imul(h ^ a[o + 3]!, 0xc2b2ae35);
  return (h ^ (h >>> 16) ^ Math.imul(port + 1, 0x27d4eb2f)) | 0;
}

function equal6(a: Uint32Array, ao: number, b: Uint32Array, bo: number): boolean {
  return (
    a[ao] === b[bo] && a[ao + 1] === b[bo + 1] && a[ao + 2] === b[bo + 2] && a[ao + 3] === b[bo + 3]
  );
}

/** A set of IPv6 addresses (four words each). */
export class AddrSet6 {
  private readonly byKey = new Map<number, Uint32Array[]>();

  add(words: readonly number[] | Uint32Array): void {
    const a = Uint32Array.from(words);
    if (this.has(a, 0)) return;
    const k = key6(a, 0, 0);
    const list = this.byKey.get(k);
    if (list) list.push(a);
    else this.byKey.set(k, [a]);
  }

  has(a: Uint32Array, o: number): boolean {
    const list = this.byKey.get(key6(a, o, 0));
    if (!list) return false;
    for (let i = 0; i < list.length; i++) if (equal6(list[i]!, 0, a, o)) return true;
    return false;
  }
}

/** One IPv6 address of an interface of the director. */
export interface IfAddress6 {
  readonly words: Uint32Array;
  readonly bytes: Buffer;
  readonly prefixLen: number;
  readonly linkLocal: boolean;
}

/** True when `a` and the words at `b[bo]` share their first `prefixLen` bits. */
function samePrefix(a: Uint32Array, b: Uint32Array, bo: number, prefixLen: number): boolean {
  for (let i = 0; i < 4; i++) {
    const bits = Math.min(Math.max(prefixLen - 32 * i, 0), 32);
    if (bits === 0) return true;
    const m = bits === 32 ? 0xffffffff : ~(0xffffffff >>> bits);
    if (((a[i]! ^ b[bo + i]!) & m) !== 0) return false;
  }
  return true;
}

/** What LiveConfig6 reads of a service (S). */
export interface Service6 {
  readonly fwmark: number;
  readonly proto: number;
  readonly port: number;
  readonly vip6: Uint32Array;
}

export class LiveConfig6<S extends Service6> {
  private readonly tcp = new Map<number, S[]>();
  private readonly udp = new Map<number, S[]>();
  private readonly byMark = new Map<number, S>();
  private readonly vips = new AddrSet6();
  private readonly local = new AddrSet6();
  /** VIPs held by the other director of a VRRP pair now (this one is backup). */
  private readonly disowned = new AddrSet6();
  private readonly hasDisowned: boolean;
  private readonly ifAddrs = new Map<number, IfAddress6[]>();

  constructor(snap: EngineSnapshot) {
    for (const a of snap.localAddresses6) this.local.add(a);
    for (const a of snap.disownedVips6) this.disowned.add(a);
    this.hasDisowned = snap.disownedVips6.length > 0;
    for (const i of snap.interfaces) {
      const list: IfAddress6[] = [];
      for (const a of i.addrs6 ?? []) {
        const words = Uint32Array.from(a.addr);
        const bytes = Buffer.alloc(16);
        for (let k = 0; k < 4; k++) bytes.writeUInt32BE(words[k]!, 4 * k);
        list.push({ words, bytes, prefixLen: a.prefixLen, linkLocal: a.linkLocal });
      }
      this.ifAddrs.set(i.ifIndex, list);
    }
  }

  /** Adds an IPv6 service (an address one, or a `-6` firewall-mark one). */
  add(svc: S): void {
    if (svc.fwmark !== 0) {
      this.byMark.set(svc.fwmark, svc);
      return;
    }
    const map = svc.proto === IpProto.TCP ? this.tcp : this.udp;
    const k = key6(svc.vip6, 0, svc.port);
    const list = map.get(k);
    if (list) list.push(svc);
    else map.set(k, [svc]);
    this.vips.add(svc.vip6);
  }

  private find(map: Map<number, S[]>, vip: Uint32Array, o: number, port: number): S | undefined {
    const list = map.get(key6(vip, o, port));
    if (!list) return undefined;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (s.port === port && equal6(s.vip6, 0, vip, o)) return s;
    }
    return undefined;
  }

  /** The address service of (proto, VIP words at `vip[o]`, port). */
  lookup(proto: number, vip: Uint32Array, o: number, port: number): S | undefined {
    return this.find(proto === IpProto.TCP ? this.tcp : this.udp, vip, o, port);
  }

  /** The service a new flow belongs to: its port's, else the VIP's all-ports (port 0) one. */
  lookupFlow(proto: number, vip: Uint32Array, o: number, port: number): S | undefined {
    const map = proto === IpProto.TCP ? this.tcp : proto === IpProto.UDP ? this.udp : undefined;
    if (!map) return undefined;
    return (
      this.find(map, vip, o, port) ??
      (this.vips.has(vip, o) ? this.find(map, vip, o, 0) : undefined)
    );
  }

  lookupMark(mark: number): S | undefined {
    return this.byMark.get(mark);
  }

  isVip(a: Uint32Array, o: number): boolean {
    return this.vips.has(a, o);
  }

  /** An address of the director's own interfaces (the kernel answers for it). */
  isLocal(a: Uint32Array, o: number): boolean {
    return this.local.has(a, o);
  }

  /** A VIP the other director of a VRRP pair holds now: its traffic is not this one's. */
  isDisowned(a: Uint32Array, o: number): boolean {
    return this.hasDisowned && this.disowned.has(a, o);
  }

  /**
   * The director's address on `ifIndex` to speak to the address at `a[o]` from: one on its
   * prefix, else the link-local one, else any (RFC 4861 7.2.2 for solicitations, RFC 4443 for
   * errors). undefined when the interface has no IPv6 address.
   */
  sourceFor(ifIndex: number, a: Uint32Array, o: number): Buffer | undefined {
    const list = this.ifAddrs.get(ifIndex);
    if (!list || list.length === 0) return undefined;
    let linkLocal: IfAddress6 | undefined;
    for (let i = 0; i < list.length; i++) {
      const x = list[i]!;
      if (x.linkLocal) linkLocal ??= x;
      else if (samePrefix(x.words, a, o, x.prefixLen)) return x.bytes;
    }
    return (linkLocal ?? list[0]!).bytes;
  }
}
