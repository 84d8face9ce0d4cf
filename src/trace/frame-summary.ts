// A frame's fields as `uvsadm --trace` shows them: Ethernet, ARP, IPv4 or IPv6 (and the outer
// header of a tunnelled packet: ip-layer.ts), TCP/UDP/ICMP/ICMPv6, each a token with a key so
// that the same field of the frame before and after its rewrite can be compared. Not on the
// fast path: it allocates.
import { formatIpv4, formatMac, readIpv4 } from '../packet/addr.js';
import { Arp, ArpOp, arpIsEthIpv4 } from '../packet/arp.js';
import { Eth, ETH_HLEN, EtherType } from '../packet/ethernet.js';
import { Icmp, ICMP_HLEN } from '../packet/icmp.js';
import { IpProto } from '../packet/ipv4.js';
import { NextHeader } from '../packet/ipv6.js';
import { Tcp, TCP_MIN_LEN, TcpFlag } from '../packet/tcp.js';
import { Udp, UDP_HLEN } from '../packet/udp.js';
import { hex16, ipLayer, tunnelledFamily, tunnelName } from './ip-layer.js';
import type { Segment, Token } from './trace-token.js';

export type { Segment, Token };

/** tcpdump's flag letters: S F R P U, and "." for ACK. */
export function tcpFlagText(flags: number): string {
  let s = '';
  if (flags & TcpFlag.SYN) s += 'S';
  if (flags & TcpFlag.FIN) s += 'F';
  if (flags & TcpFlag.RST) s += 'R';
  if (flags & TcpFlag.PSH) s += 'P';
  if (flags & TcpFlag.URG) s += 'U';
  if (flags & TcpFlag.ACK) s += '.';
  return `[${s}]`;
}

function ethSegment(b: Buffer): Segment {
  return {
    name: 'eth',
    tokens: [
      { key: 'eth.src', text: formatMac(b, Eth.Src) },
      { key: '', text: '>' },
      { key: 'eth.dst', text: formatMac(b, Eth.Dst) },
    ],
  };
}

function arpSegment(b: Buffer, len: number): Segment {
  const a = ETH_HLEN;
  if (!arpIsEthIpv4(b, a, len)) return { name: 'arp', tokens: [{ key: 'arp', text: 'arp ?' }] };
  const op = b.readUInt16BE(a + Arp.Op);
  const spa = formatIpv4(readIpv4(b, a + Arp.Spa));
  const tpa = formatIpv4(readIpv4(b, a + Arp.Tpa));
  const tokens: Token[] =
    op === ArpOp.Request
      ? [
          { key: 'arp.op', text: 'arp who-has' },
          { key: 'arp.tpa', text: tpa },
          { key: '', text: 'tell' },
          { key: 'arp.spa', text: spa },
        ]
      : [
          { key: 'arp.op', text: op === ArpOp.Reply ? 'arp reply' : `arp op ${op}` },
          { key: 'arp.spa', text: spa },
          { key: '', text: 'is-at' },
          { key: 'arp.sha', text: formatMac(b, a + Arp.Sha) },
        ];
  return { name: 'arp', tokens };
}

function l4Segment(b: Buffer, proto: number, l4: number, end: number): Segment {
  const sum = (key: string, off: number): Token => ({
    key,
    text: `sum ${hex16(b.readUInt16BE(off))}`,
  });
  const ports = (p: string): Token[] => [
    { key: 'l4.proto', text: p },
    { key: 'l4.sport', text: String(b.readUInt16BE(l4 + Tcp.SrcPort)) },
    { key: '', text: '>' },
    { key: 'l4.dport', text: String(b.readUInt16BE(l4 + Tcp.DstPort)) },
  ];
  if (proto === IpProto.TCP && l4 + TCP_MIN_LEN <= end)
    return {
      name: 'tcp',
      tokens: [
        ...ports('tcp'),
        { key: 'tcp.flags', text: tcpFlagText(b[l4 + Tcp.Flags]!) },
        sum('l4.sum', l4 + Tcp.Csum),
      ],
    };
  if (proto === IpProto.UDP && l4 + UDP_HLEN <= end)
    return { name: 'udp', tokens: [...ports('udp'), sum('l4.sum', l4 + Udp.Csum)] };
  const icmp6 = proto === NextHeader.ICMPv6;
  if ((proto === IpProto.ICMP || icmp6) && l4 + ICMP_HLEN <= end)
    return {
      name: 'icmp',
      tokens: [
        { key: 'l4.proto', text: icmp6 ? 'icmp6' : 'icmp' },
        { key: 'icmp.type', text: `${b[l4 + Icmp.Type]!}/${b[l4 + Icmp.Code]!}` },
        sum('l4.sum', l4 + Icmp.Csum),
      ],
    };
  return { name: 'l4', tokens: [{ key: 'l4.proto', text: `proto ${proto} (cut short)` }] };
}

/** The segments of an Ethernet frame of `len` bytes. */
export function summarizeFrame(b: Buffer, len = b.length): Segment[] {
  if (len < ETH_HLEN)
    return [{ name: 'eth', tokens: [{ key: 'eth', text: `runt (${len} bytes)` }] }];
  const segs = [ethSegment(b)];
  const type = b.readUInt16BE(Eth.Type);
  if (type === EtherType.ARP) return [...segs, arpSegment(b, len)];
  if (type !== EtherType.IPv4 && type !== EtherType.IPv6)
    return [...segs, { name: 'type', tokens: [{ key: 'eth.type', text: `type ${hex16(type)}` }] }];
  const family = type === EtherType.IPv4 ? 4 : 6;
  const bad = (what: string): Segment[] => [
    ...segs,
    { name: 'ip', tokens: [{ key: 'ip', text: what }] },
  ];
  let ip = ipLayer(b, family, ETH_HLEN, len, 'ip');
  if (!ip) return bad(`bad IPv${family} header`);
  // A tunnel (LVS-TUN): the outer header is its own segment, the inner one is compared with
  // the header the director received.
  const inner = ip.laterFragment ? undefined : tunnelledFamily(ip.proto);
  if (inner !== undefined) {
    const outer = ipLayer(b, family, ETH_HLEN, len, 'outer')!;
    segs.push({
      name: 'ipip',
      tokens: [{ key: 'outer.proto', text: tunnelName(family, inner) }, ...outer.tokens],
    });
    ip = ipLayer(b, inner, outer.l4, outer.end, 'ip');
    if (!ip) return bad('bad inner header');
  }
  segs.push({ name: 'ip', tokens: ip.tokens });
  segs.push(
    ip.laterFragment
      ? { name: 'l4', tokens: [{ key: 'l4.proto', text: `proto ${ip.proto} (fragment)` }] }
      : l4Segment(b, ip.proto, ip.l4, ip.end),
  );
  return segs;
}
