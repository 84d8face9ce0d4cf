// The forwarders: NAT (DNAT toward the real server, SNAT of its replies) and DR (MAC
// rewrite only). Each rewrites the frame in place and tells the engine where to send it.
import { copyMac, Eth, ETH_HLEN } from '../../packet/ethernet.js';
import { ConnFlag } from '../conn-table.js';
import type { Engine, FrameFields } from '../engine.js';
import { FwdMethod } from '../model.js';
import { DropReason, Verdict } from '../verdict.js';
import { decrementTtl, rewriteEndpoint } from './rewrite.js';
import { forwardTunnel } from './tunnel.js';

/** Sends the frame of connection `i` on toward its real server, rewritten for its method. */
export function forwardToDest(
  e: Engine,
  buf: Buffer,
  f: FrameFields,
  i: number,
  inIf: number,
): Verdict {
  const c = e.conns;
  switch (c.flags[i]! & ConnFlag.MethodMask) {
    case FwdMethod.Masq:
      if (!decrementTtl(buf, f.ip)) return e.drop(DropReason.TtlExpired);
      rewriteEndpoint(
        buf,
        f.ip,
        f.l4,
        f.proto,
        'dst',
        f.dstAddr,
        c.daddr[i]!,
        f.dstPort,
        c.dport[i]!,
      );
      break;
    case FwdMethod.Route:
      // DR: the IP packet is untouched; only the Ethernet header is the director's own.
      break;
    case FwdMethod.Tunnel:
      return forwardTunnel(e, buf, f, i, inIf);
    default:
      return e.drop(DropReason.UnsupportedMethod);
  }
  return moveToDest(e, buf, f, i);
}

/** Puts the frame on the wire toward connection `i`'s real server: MACs and interface. */
export function moveToDest(e: Engine, buf: Buffer, f: FrameFields, i: number): Verdict {
  const dest = e.services.destsById[e.conns.destId[i]!];
  if (!dest || dest.ifIndex < 0) return e.drop(DropReason.NoNeighbour);
  const mac = e.env.neighbourMac(dest.nextHop);
  if (!mac) {
    e.env.requestNeighbour(dest.nextHop, dest.ifIndex);
    return e.drop(DropReason.NoNeighbour);
  }
  const ifMac = e.env.interfaceMac(dest.ifIndex);
  if (!ifMac) return e.drop(DropReason.NoNeighbour);
  // uvs never fragments: an oversize frame is counted and dropped.
  if (f.ipLen > e.env.interfaceMtu(dest.ifIndex)) return e.drop(DropReason.TooBig);
  copyMac(buf, Eth.Dst, mac, 0);
  copyMac(buf, Eth.Src, ifMac, 0);
  e.txIfIndex = dest.ifIndex;
  e.txLen = ETH_HLEN + f.ipLen;
  return Verdict.Forward;
}

/** Sends a real server's reply of NAT connection `i` back to the client, from the VIP. */
export function forwardToClient(e: Engine, buf: Buffer, f: FrameFields, i: number): Verdict {
  const c = e.conns;
  const outIf = c.clientIf[i]!;
  const ifMac = e.env.interfaceMac(outIf);
  if (!ifMac) return e.drop(DropReason.NoNeighbour);
  if (f.ipLen > e.env.interfaceMtu(outIf)) return e.drop(DropReason.TooBig);
  if (!decrementTtl(buf, f.ip)) return e.drop(DropReason.TtlExpired);
  rewriteEndpoint(buf, f.ip, f.l4, f.proto, 'src', f.srcAddr, c.vaddr[i]!, f.srcPort, c.vport[i]!);
  return moveToClient(e, buf, f, i, ifMac);
}

/** Puts the frame on the wire toward connection `i`'s client, the way its frames came. */
export function moveToClient(
  e: Engine,
  buf: Buffer,
  f: FrameFields,
  i: number,
  ifMac: Buffer,
): Verdict {
  e.conns.copyClientMac(i, buf, Eth.Dst);
  copyMac(buf, Eth.Src, ifMac, 0);
  e.txIfIndex = e.conns.clientIf[i]!;
  e.txLen = ETH_HLEN + f.ipLen;
  return Verdict.Forward;
}
