// In-place rewrites of IPv4 + TCP/UDP headers with checksum updates: incremental (RFC 1624) for
// complete checksums, pseudo-header only for partial ones (a local sender's offload left the
// checksum for the NIC: the field holds the pseudo-header sum, ports are summed later).
import { writeIpv4 } from '../../packet/addr.js';
import {
  csumReplace16,
  csumReplace32,
  partialReplace32,
  readU16,
  writeU16,
} from '../../packet/checksum.js';
import { Ipv4, IpProto } from '../../packet/ipv4.js';
import { Tcp } from '../../packet/tcp.js';
import { Udp } from '../../packet/udp.js';

/** Offset of the L4 checksum field for `proto`, relative to the L4 header. */
function l4CsumOffset(proto: number): number {
  return proto === IpProto.TCP ? Tcp.Csum : Udp.Csum;
}

function updateL4Csum32(
  buf: Buffer,
  l4: number,
  proto: number,
  oldV: number,
  newV: number,
  partial: boolean,
): void {
  const off = l4 + l4CsumOffset(proto);
  const csum = readU16(buf, off);
  if (partial) {
    writeU16(buf, off, partialReplace32(csum, oldV, newV));
    return;
  }
  if (proto === IpProto.UDP && csum === 0) return; // UDP without checksum stays so
  let next = csumReplace32(csum, oldV, newV);
  if (proto === IpProto.UDP && next === 0) next = 0xffff;
  writeU16(buf, off, next);
}

function updateL4Csum16(buf: Buffer, l4: number, proto: number, oldV: number, newV: number): void {
  const off = l4 + l4CsumOffset(proto);
  const csum = readU16(buf, off);
  if (proto === IpProto.UDP && csum === 0) return;
  let next = csumReplace16(csum, oldV, newV);
  if (proto === IpProto.UDP && next === 0) next = 0xffff;
  writeU16(buf, off, next);
}

/** Replaces the IPv4 address at `ip + field` (Src or Dst), fixing the IP checksum. */
export function setIpAddr(
  buf: Buffer,
  ip: number,
  field: Ipv4.Src | Ipv4.Dst,
  oldV: number,
  newV: number,
): void {
  if (oldV === newV) return;
  writeIpv4(buf, ip + field, newV);
  writeU16(buf, ip + Ipv4.Csum, csumReplace32(readU16(buf, ip + Ipv4.Csum), oldV, newV));
}

/**
 * Rewrites the destination (DNAT) or source (SNAT) address and port of a TCP/UDP packet: the IP
 * header checksum, and the L4 checksum for the pseudo-header address and (if complete) the port.
 */
export function rewriteEndpoint(
  buf: Buffer,
  ip: number,
  l4: number,
  proto: number,
  side: 'src' | 'dst',
  oldAddr: number,
  newAddr: number,
  oldPort: number,
  newPort: number,
  partial: boolean,
): void {
  setIpAddr(buf, ip, side === 'src' ? Ipv4.Src : Ipv4.Dst, oldAddr, newAddr);
  if (oldAddr !== newAddr) updateL4Csum32(buf, l4, proto, oldAddr, newAddr, partial);
  if (oldPort !== newPort) {
    // TCP and UDP keep their ports at the same offsets.
    writeU16(buf, l4 + (side === 'src' ? Tcp.SrcPort : Tcp.DstPort), newPort);
    if (!partial) updateL4Csum16(buf, l4, proto, oldPort, newPort);
  }
}

/** Decrements the TTL as a router does; false when the packet must not be forwarded. */
export function decrementTtl(buf: Buffer, ip: number): boolean {
  const ttl = buf[ip + Ipv4.Ttl]!;
  if (ttl <= 1) return false;
  const oldWord = readU16(buf, ip + Ipv4.Ttl);
  buf[ip + Ipv4.Ttl] = ttl - 1;
  writeU16(
    buf,
    ip + Ipv4.Csum,
    csumReplace16(readU16(buf, ip + Ipv4.Csum), oldWord, readU16(buf, ip + Ipv4.Ttl)),
  );
  return true;
}
