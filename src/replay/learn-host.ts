// Learns the director's host from its own input capture, where the command line did not say:
// - an interface's MAC: every unicast frame that crossed a director's interface has the
//   director's MAC as its source or its destination, so it is the MAC found in the most
//   unicast frames; a tie goes to the MAC that frames to a VIP were sent to;
// - its addresses: ARP frames the director sent (sender = its MAC) or that answer it
//   (target = its MAC);
// - neighbours: every other ARP sender (requests and replies), on the interface it came in;
// - who lives behind each interface: IPv4 sources of the frames received on it.
// The whole capture is read first, so an ARP exchange late in the capture still counts.
import { readIpv4 } from '../packet/addr.js';
import { Arp, ArpOp, arpIsEthIpv4 } from '../packet/arp.js';
import { Eth, ETH_HLEN, EtherType, macEquals } from '../packet/ethernet.js';
import { Ipv4 } from '../packet/ipv4.js';
import type { ReplayHost, ReplayInterface } from './replay-host.js';

export interface LearnFrame {
  readonly ifIndex: number;
  readonly data: Buffer;
}

const isUnicast = (b: Buffer, off: number): boolean => (b[off]! & 1) === 0;
const macKey = (b: Buffer, off: number): string => b.subarray(off, off + 6).toString('hex');

function learnMac(
  iface: ReplayInterface,
  frames: readonly LearnFrame[],
  vips: ReadonlySet<number>,
): void {
  const seen = new Map<string, number>();
  const toVip = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
  let unicast = 0;
  for (const f of frames) {
    const b = f.data;
    if (f.ifIndex !== iface.ifIndex || b.length < ETH_HLEN || !isUnicast(b, Eth.Dst)) continue;
    unicast++;
    bump(seen, macKey(b, Eth.Dst));
    bump(seen, macKey(b, Eth.Src));
    if (b.readUInt16BE(Eth.Type) === EtherType.IPv4 && b.length >= ETH_HLEN + 20)
      if (vips.has(readIpv4(b, ETH_HLEN + Ipv4.Dst))) bump(toVip, macKey(b, Eth.Dst));
  }
  let best: string | undefined;
  for (const [k, n] of seen) {
    const b = best === undefined ? -1 : seen.get(best)!;
    if (n > b || (n === b && (toVip.get(k) ?? 0) > (toVip.get(best!) ?? 0))) best = k;
  }
  if (best === undefined) return;
  iface.mac = Buffer.from(best, 'hex');
  iface.macSource = `learnt: in ${seen.get(best)} of ${unicast} unicast frames`;
}

function learnArp(host: ReplayHost, f: LearnFrame): void {
  const b = f.data;
  const a = ETH_HLEN;
  if (
    b.length < ETH_HLEN ||
    b.readUInt16BE(Eth.Type) !== EtherType.ARP ||
    !arpIsEthIpv4(b, a, b.length)
  )
    return;
  const iface = host.interfaces[f.ifIndex - 1];
  const mine = iface?.mac;
  if (!iface || !mine) return;
  const spa = readIpv4(b, a + Arp.Spa);
  const addOwn = (ip: number): void => {
    if (ip !== 0 && !iface.addrs.some((p) => p.addr === ip))
      iface.addrs.push({ addr: ip, len: 32 });
  };
  if (macEquals(b, a + Arp.Sha, mine, 0)) addOwn(spa);
  else if (spa !== 0 && !host.neighbours.has(spa))
    host.neighbours.set(spa, {
      mac: Buffer.from(b.subarray(a + Arp.Sha, a + Arp.Sha + 6)),
      ifIndex: f.ifIndex,
    });
  if (b.readUInt16BE(a + Arp.Op) === ArpOp.Reply && macEquals(b, a + Arp.Tha, mine, 0))
    addOwn(readIpv4(b, a + Arp.Tpa));
}

/** Fills in what `host` does not know yet from `frames`; `vips` are the services' addresses. */
export function learnHost(
  host: ReplayHost,
  frames: readonly LearnFrame[],
  vips: ReadonlySet<number>,
): void {
  for (const iface of host.interfaces) if (!iface.mac) learnMac(iface, frames, vips);
  for (const f of frames) {
    learnArp(host, f);
    const b = f.data;
    const iface = host.interfaces[f.ifIndex - 1];
    if (!iface?.mac || b.length < ETH_HLEN + 20 || b.readUInt16BE(Eth.Type) !== EtherType.IPv4)
      continue;
    if (!macEquals(b, Eth.Src, iface.mac, 0))
      iface.seenSources.add(readIpv4(b, ETH_HLEN + Ipv4.Src));
  }
}
