// A frame's fields as `uvsadm --trace` shows them: Ethernet, ARP, IPv4 (and the outer header
// of an IPIP packet), TCP/UDP/ICMP, each a token with a key so that the same field of the
// frame before and after its rewrite can be compared. Not on the fast path: it allocates.
import { formatIpv4, formatMac, readIpv4 } from '../packet/addr.js';
import { Arp, ArpOp, arpIsEthIpv4 } from '../packet/arp.js';
import { Eth, ETH_HLEN, EtherType } from '../packet/ethernet.js';
import { Icmp, ICMP_HLEN } from '../packet/icmp.js';
import { Ipv4, ipv4HeaderLen, IpProto } from '../packet/ipv4.js';
import { Tcp, TCP_MIN_LEN, TcpFlag } from '../packet/tcp.js';
import { Udp, UDP_HLEN } from '../packet/udp.js';

/** One shown field: `key` identifies it across the two frames, `text` is what is printed. */
export interface Token {
  readonly key: string;
  readonly text: string;
}

/** A group of tokens printed together ("eth", "ipip", "ip", "tcp"…). */
export interface Segment {
  readonly name: string;
  readonly tokens: readonly Token[];
}

const hex16 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

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

function ipTokens(b: Buffer, ip: number, prefix: string): Token[] {
  return [
    { key: `${prefix}.src`, text: formatIpv4(readIpv4(b, ip + Ipv4.Src)) },
    { key: '', text: '>' },
    { key: `${prefix}.dst`, text: formatIpv4(readIpv4(b, ip + Ipv4.Dst)) },
    { key: `${prefix}.ttl`, text: `ttl ${b[ip + Ipv4.Ttl]!}` },
    { key: `${prefix}.sum`, text: `sum ${hex16(b.readUInt16BE(ip + Ipv4.Csum))}` },
  ];
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
  if (proto === IpProto.ICMP && l4 + ICMP_HLEN <= end)
    return {
      name: 'icmp',
      tokens: [
        { key: 'l4.proto', text: 'icmp' },
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
  if (type !== EtherType.IPv4)
    return [...segs, { name: 'type', tokens: [{ key: 'eth.type', text: `type ${hex16(type)}` }] }];
  let ip = ETH_HLEN;
  let ihl = ipv4HeaderLen(b, ip, len);
  if (ihl === undefined)
    return [...segs, { name: 'ip', tokens: [{ key: 'ip', text: 'bad IPv4 header' }] }];
  // IPIP (LVS-TUN): the outer header is its own segment, the inner one is compared with the
  // header the director received.
  if (b[ip + Ipv4.Proto] === IpProto.IPIP) {
    segs.push({
      name: 'ipip',
      tokens: [{ key: 'outer.proto', text: 'ipip' }, ...ipTokens(b, ip, 'outer')],
    });
    ip += ihl;
    ihl = ipv4HeaderLen(b, ip, len);
    if (ihl === undefined)
      return [...segs, { name: 'ip', tokens: [{ key: 'ip', text: 'bad inner header' }] }];
  }
  segs.push({ name: 'ip', tokens: ipTokens(b, ip, 'ip') });
  const end = Math.min(len, ip + b.readUInt16BE(ip + Ipv4.TotalLen));
  segs.push(l4Segment(b, b[ip + Ipv4.Proto]!, ip + ihl, end));
  return segs;
}
