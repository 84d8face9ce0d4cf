// The text of `uvsadm --trace`: for each traced frame two lines, the frame as the director
// received it ("in") and as it sent it ("out"), columns aligned, each field that the rewrite
// changed marked `*` and a header it added (LVS-TUN's outer IPIP header) marked `+` in front;
// the second line ends with what the director did (forwarding method, real server chosen,
// connection state after the frame) or why it dropped the frame. Columns: record number,
// time (UTC), direction, interface, Ethernet, [outer IPIP], IPv4 (addresses, TTL, header
// checksum), TCP/UDP (ports, flags, checksum) or ICMP (type/code, checksum), length:
//
//   #1 03:37:21.788919 in  eth1 | 02:c1:00:00:00:01 > 02:dd:00:00:00:01   | 192.168.10.1 > 192.168.10.23 ttl 64 sum 0x9333   | tcp 40000 > 80 [S] sum 0x7a01     | 54 B
//   #1 03:37:21.788919 out eth2 | 02:dd:00:00:00:02* > 02:51:00:00:00:01* | 192.168.10.1 > 192.168.20.1* ttl 63* sum 0x8a49* | tcp 40000 > 8080* [S] sum 0x50d7* | 54 B | Masq rs 192.168.20.1:8080 SYN_RECV
//
// Pure: two frames and their metadata in, text out. uvsd's trace ring feeds it.
import { summarizeFrame, type Segment, type Token } from './frame-summary.js';

export type TraceVerdict = 'forward' | 'reply' | 'drop' | 'not-ours';

/** What the engine did with a traced frame. */
export interface TraceMeta {
  /** Trace record number (per uvsd, from 1). */
  readonly seq: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly inIf: string;
  readonly outIf?: string;
  readonly verdict: TraceVerdict;
  /** Drop reason as counters name it (drop.<reason>): "no_neighbour"… */
  readonly dropReason?: string;
  /** ipvsadm's word: Masq, Route, Tunnel, Local. */
  readonly method?: string;
  /** "to-server" for a client's packet, "to-client" for a NAT reply. */
  readonly way?: 'to-server' | 'to-client';
  /** The real server of the connection, "ip:port". */
  readonly realServer?: string;
  /** The connection's state after this frame, as ipvsadm -Lc prints it. */
  readonly state?: string;
}

function clock(sec: number, nsec: number): string {
  const d = new Date(sec * 1000);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}`;
}

function render(seg: Segment | undefined, other: Segment | undefined, added: boolean): string {
  if (!seg) return '';
  const before = new Map((other?.tokens ?? []).map((t) => [t.key, t.text]));
  if (added) return `+${seg.tokens.map((t) => t.text).join(' ')}`;
  const mark = (t: Token): string => {
    if (t.key === '') return t.text;
    const was = before.get(t.key);
    return other && was !== undefined && was !== t.text ? `${t.text}*` : t.text;
  };
  return seg.tokens.map(mark).join(' ');
}

/** The segments of both frames, paired by name (the "ipip" segment only exists after TUN). */
function pair(
  a: Segment[],
  b: Segment[] | undefined,
): [Segment | undefined, Segment | undefined][] {
  const names: string[] = [];
  for (const s of [...a, ...(b ?? [])]) if (!names.includes(s.name)) names.push(s.name);
  // Keep the wire order: eth, ipip, ip, l4 (ipip first after eth when the after frame has it).
  const order = (n: string): number => ['eth', 'arp', 'type', 'ipip', 'ip'].indexOf(n) >>> 0;
  names.sort((x, y) => order(x) - order(y));
  return names.map((n) => [a.find((s) => s.name === n), b?.find((s) => s.name === n)]);
}

function outcome(m: TraceMeta): string {
  switch (m.verdict) {
    case 'drop':
      return `drop ${m.dropReason ?? '?'}`;
    case 'not-ours':
      return 'not ours';
    case 'reply':
      return 'reply';
    case 'forward': {
      const reply = m.way === 'to-client';
      const words = [
        m.method ?? '?',
        ...(reply ? ['reply'] : []),
        ...(m.realServer ? [`${reply ? 'from' : 'rs'} ${m.realServer}`] : []),
        ...(m.state ? [m.state] : []),
      ];
      return words.join(' ');
    }
  }
}

/**
 * The two lines of one traced frame: `before` as received, `after` as sent (undefined when
 * nothing was sent), each exactly the frame's bytes.
 */
export function formatTrace(before: Buffer, after: Buffer | undefined, meta: TraceMeta): string {
  const afterLen = after?.length ?? 0;
  const a = summarizeFrame(before);
  const b = after ? summarizeFrame(after) : undefined;
  const cols = pair(a, b).map(([x, y]) => {
    const left = render(x, undefined, false);
    const right = render(y, x, x === undefined);
    return { left, right, width: Math.max(left.length, right.length) };
  });
  const size = (n: number): string => `${n} B`;
  const lead = `#${meta.seq} ${clock(meta.tsSec, meta.tsNsec)}`;
  const inIf = meta.inIf;
  const outIf = meta.outIf ?? '-';
  const ifWidth = Math.max(inIf.length, outIf.length);
  const sizeWidth = Math.max(size(before.length).length, size(afterLen).length);
  const line = (dir: string, ifName: string, side: 'left' | 'right', len: number): string =>
    [
      `${lead} ${dir} ${ifName.padEnd(ifWidth)}`,
      ...cols.map((c) => c[side].padEnd(c.width)),
      size(len).padEnd(sizeWidth),
    ].join(' | ');
  const first = line('in ', inIf, 'left', before.length).trimEnd();
  const second = b
    ? `${line('out', outIf, 'right', afterLen)} | ${outcome(meta)}`
    : `${lead} out ${'-'.padEnd(ifWidth)} | ${outcome(meta)}`;
  return `${first}\n${second}\n`;
}
