// ICMP "fragmentation needed" (type 3 code 4, RFC 792 + RFC 1191) back to the sender of a
// packet that cannot go on without fragmentation while DF is set: from the address it was
// sent to (the VIP), quoting its IP header and first 8 bytes, with the next-hop MTU.
import { finish, sum16, writeU16 } from '../../packet/checksum.js';
import { copyMac, Eth, ETH_HLEN, EtherType } from '../../packet/ethernet.js';
import { ICMP_CODE_FRAG_NEEDED, Icmp, ICMP_HLEN, IcmpType } from '../../packet/icmp.js';
import { Ipv4, ipv4SetChecksum, IpProto, IPV4_MIN_LEN } from '../../packet/ipv4.js';
import { writeIpv4 } from '../../packet/addr.js';
import type { Engine, FrameFields } from '../engine.js';
import { DropReason, Verdict } from '../verdict.js';

const ICMP_TTL = 64;

/**
 * Builds ICMP 3/4 from `from` to `to` in the engine's scratch buffer, quoting `qLen` bytes of
 * `quote` at `qOff`, toward the MAC that `setDstMac` writes, on `outIf`.
 */
export function fragNeeded(
  e: Engine,
  quote: Buffer,
  qOff: number,
  qLen: number,
  from: number,
  to: number,
  setDstMac: (out: Buffer) => void,
  outIf: number,
  mtu: number,
): Verdict {
  const ifMac = e.env.interfaceMac(outIf);
  if (!ifMac) return e.drop(DropReason.TooBig);
  const out = e.scratch;
  const icmp = ETH_HLEN + IPV4_MIN_LEN;
  const total = IPV4_MIN_LEN + ICMP_HLEN + qLen;
  setDstMac(out);
  copyMac(out, Eth.Src, ifMac, 0);
  writeU16(out, Eth.Type, EtherType.IPv4);
  const o = ETH_HLEN;
  out[o + Ipv4.VerIhl] = 0x45;
  out[o + Ipv4.Tos] = 0xc0; // internetwork control, as the kernel's ICMP errors
  writeU16(out, o + Ipv4.TotalLen, total);
  writeU16(out, o + Ipv4.Id, 0);
  writeU16(out, o + Ipv4.FragOff, 0);
  out[o + Ipv4.Ttl] = ICMP_TTL;
  out[o + Ipv4.Proto] = IpProto.ICMP;
  writeIpv4(out, o + Ipv4.Src, from);
  writeIpv4(out, o + Ipv4.Dst, to);
  ipv4SetChecksum(out, o);
  out[icmp + Icmp.Type] = IcmpType.DestUnreachable;
  out[icmp + Icmp.Code] = ICMP_CODE_FRAG_NEEDED;
  writeU16(out, icmp + Icmp.Csum, 0);
  writeU16(out, icmp + Icmp.Id, 0);
  writeU16(out, icmp + Icmp.NextHopMtu, mtu);
  quote.copy(out, icmp + Icmp.Quoted, qOff, qOff + qLen);
  writeU16(out, icmp + Icmp.Csum, finish(sum16(out, icmp, ICMP_HLEN + qLen)));
  e.txBuf = out;
  e.txIfIndex = outIf;
  e.txLen = ETH_HLEN + total;
  e.counters.fragNeeded++;
  return Verdict.Reply;
}

/** The answer to a packet in `buf` (fields `f`) that arrived on `inIf`: back the way it came. */
export function replyFragNeeded(
  e: Engine,
  buf: Buffer,
  f: FrameFields,
  inIf: number,
  mtu: number,
): Verdict {
  const quoted = Math.min(f.ipLen, f.l4 - f.ip + 8);
  return fragNeeded(
    e,
    buf,
    f.ip,
    quoted,
    f.dstAddr,
    f.srcAddr,
    (out) => copyMac(out, Eth.Dst, buf, Eth.Src),
    inIf,
    mtu,
  );
}
