// An address as the control plane holds it (a VIP, a real server): the family told by its text,
// the IPv4 address as a uint32 or the IPv6 one as four uint32 words, and its canonical text
// (dotted quad, or glibc's inet_ntop form for IPv6) under which services and servers are found.
import {
  formatIpv4,
  formatIpv6Words,
  isIpv4,
  IPV6_ALEN,
  parseIpv4,
  parseIpv6Into,
  readIpv6Words,
} from '../packet/addr.js';
import { ControlError } from './model.js';

export type Family = 4 | 6;

/**
 * The XOR of an IPv6 address's four words: what schedulers see of it (FrameFields.srcAddr and
 * dstAddr, LiveDest.addr), as IPVS's sh, dh, mh and lblc fold an IPv6 address into 32 bits
 * (ip_vs_sh_hashkey: ip6[0] ^ ip6[1] ^ ip6[2] ^ ip6[3]). A signed 32-bit integer, as the fast
 * path keeps IPv4 addresses (no number above 2^31, which would be boxed).
 */
export function xorFold(words: Uint32Array, off = 0): number {
  return words[off]! ^ words[off + 1]! ^ words[off + 2]! ^ words[off + 3]!;
}

const scratch = Buffer.alloc(IPV6_ALEN);

export class HostAddress {
  private constructor(
    readonly family: Family,
    /** The IPv4 address; for IPv6, the XOR fold of its words (see xorFold). */
    readonly v4: number,
    /** The IPv6 address as four words (zeros for IPv4). */
    readonly v6: Uint32Array,
    /** Canonical text. */
    readonly text: string,
  ) {}

  /**
   * Parses IPv4 or IPv6 text; otherwise ControlError E_INVALID naming the text and the family
   * it was read as (IPv6 when it holds a ':', as keepalived and ipvsadm tell them apart).
   */
  static parse(text: string): HostAddress {
    if (isIpv4(text)) {
      const v4 = parseIpv4(text);
      return new HostAddress(4, v4, new Uint32Array(4), formatIpv4(v4));
    }
    if (parseIpv6Into(text, scratch)) {
      const v6 = new Uint32Array(4);
      readIpv6Words(scratch, 0, v6);
      return new HostAddress(6, xorFold(v6), v6, formatIpv6Words(v6));
    }
    const family = text.includes(':') ? 'IPv6' : 'IPv4';
    throw new ControlError('E_INVALID', `invalid ${family} address "${text}"`);
  }

  /** The four words of an IPv6 address, as snapshots carry them. */
  words(): number[] {
    return [...this.v6];
  }
}
