// In-place rewrites of IPv6 + TCP/UDP headers. IPv6 has no header checksum: only the L4
// checksum follows an address change (its pseudo-header holds both addresses), incrementally over
// the 128 bits (RFC 1624) for complete checksums, in the pseudo-header sum only for partial ones
// (CHECKSUM_PARTIAL: the sender's offload left the rest for the NIC, ports included).
import { writeIpv6Words } from '../../packet/addr.js';
import { csumReplace16, readU16, writeU16 } from '../../packet/checksum.js';
import { csumReplace128Words, partialReplace128Words } from '../../packet/checksum6.js';
import { Ipv6, NextHeader } from '../../packet/ipv6.js';
import { Tcp } from '../../packet/tcp.js';
import { Udp } from '../../packet/udp.js';

function csumField(l4: number, proto: number): number {
  return l4 + (proto === NextHeader.TCP ? Tcp.Csum : Udp.Csum);
}

/** The checksum after `next` replaced a complete one; UDP keeps 0 as "none" and never makes 0. */
function store(buf: Buffer, off: number, proto: number, next: number): void {
  writeU16(buf, off, proto === NextHeader.UDP && next === 0 ? 0xffff : next);
}

/**
 * Rewrites the destination (DNAT) or source (SNAT) address and port of the TCP/UDP packet whose
 * IPv6 header is at `ip` and L4 header at `l4`: the address from the words at `oldW[oldO]`
 * (what the header holds) to those at `newW[newO]`, the port from `oldPort` to `newPort`.
 */
export function rewriteEndpoint6(
  buf: Buffer,
  ip: number,
  l4: number,
  proto: number,
  side: 'src' | 'dst',
  oldW: Uint32Array,
  oldO: number,
  newW: Uint32Array,
  newO: number,
  oldPort: number,
  newPort: number,
  partial: boolean,
): void {
  writeIpv6Words(buf, ip + (side === 'src' ? Ipv6.Src : Ipv6.Dst), newW, newO);
  const field = csumField(l4, proto);
  const csum = readU16(buf, field);
  if (partial) {
    writeU16(buf, field, partialReplace128Words(csum, oldW, oldO, newW, newO));
  } else if (!(proto === NextHeader.UDP && csum === 0)) {
    store(buf, field, proto, csumReplace128Words(csum, oldW, oldO, newW, newO));
  }
  if (oldPort === newPort) return;
  // TCP and UDP keep their ports at the same offsets.
  writeU16(buf, l4 + (side === 'src' ? Tcp.SrcPort : Tcp.DstPort), newPort);
  const now = readU16(buf, field);
  if (!partial && !(proto === NextHeader.UDP && now === 0))
    store(buf, field, proto, csumReplace16(now, oldPort, newPort));
}

/** Decrements the hop limit as a router does; false when the packet must not be forwarded. */
export function decrementHopLimit(buf: Buffer, ip: number): boolean {
  const hl = buf[ip + Ipv6.HopLimit]!;
  if (hl <= 1) return false;
  buf[ip + Ipv6.HopLimit] = hl - 1;
  return true;
}
