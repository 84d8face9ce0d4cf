// Firewall-mark services. A packet socket sees a frame before netfilter, so the mark that an
// nftables rule (as iptables -j MARK for IPVS) puts on a packet is invisible to uvs. The tap
// makes it visible: uvs's own `ip` and `ip6` tables, right after the mangle priority, duplicate
// each packet carrying a service's mark out of a veth of its own (uvsfwm0) toward a neighbour
// whose static MAC *is* the mark (02:75:MM:MM:MM:MM), and drop the original. uvs captures
// what uvsfwm0 transmits where it arrives, on its peer uvsfwm1 (a packet socket that ignores
// outgoing frames sees it there), and reads the mark back from the destination MAC.
//
// IPv6: nf_dup_ipv6 routes the copy through uvsfwm0 like any output packet, so IPv6 is enabled
// there (an interface with disable_ipv6 drops what is sent through it), quietly: no address of
// its own (so no duplicate address detection nor multicast listener reports), no router
// solicitations, no router advertisements taken, and one route, to the tap's link-local
// neighbours only (fe80::75:0:0:0/96). The peer keeps IPv6 off: nothing there speaks.
import { formatIpv4, formatMac } from '../packet/addr.js';
import { run, runSyncQuiet } from './run.js';

export const TAP_IF = 'uvsfwm0';
const TAP_PEER = 'uvsfwm1';
/** Where uvs receives the tap's frames. */
export const TAP_CAPTURE_IF = TAP_PEER;
const TAP_ADDR = '169.254.255.254/16';
/** The IPv6 neighbours of the tap (markNeighbour6) and only those are routed to it. */
export const TAP_ROUTE6 = 'fe80::75:0:0:0/96';
const NFT_TABLE = 'uvs_fwmark';
/** Marks must be set before this priority (mangle is -150). */
export const FWMARK_PRIORITY = -149;
/** First two bytes of the MAC that carries a mark. */
export const MARK_MAC_PREFIX = 0x0275;

/** The MAC that carries `mark`. */
export function markMac(mark: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16BE(MARK_MAC_PREFIX, 0);
  b.writeUInt32BE(mark >>> 0, 2);
  return b;
}

/** The link-local neighbour standing for the k-th mark. */
export function markNeighbour(k: number): number {
  const a = k + 1;
  return ((169 << 24) | (254 << 16) | ((a >> 8) << 8) | (a & 0xff)) >>> 0;
}

/** The IPv6 link-local neighbour standing for the k-th IPv6 mark (inside TAP_ROUTE6). */
export function markNeighbour6(k: number): string {
  const a = (k + 1) >>> 0;
  return `fe80::75:0:${(a >>> 16).toString(16)}:${(a & 0xffff).toString(16)}`;
}

/** The nftables table of one family duplicating marked packets to the tap (pure). */
export function fwmarkRuleset(marks: readonly number[], family: 4 | 6 = 4): string {
  const table = family === 6 ? 'ip6' : 'ip';
  const neighbour = (k: number): string =>
    family === 6 ? markNeighbour6(k) : formatIpv4(markNeighbour(k));
  const lines = [
    `table ${table} ${NFT_TABLE}`,
    `delete table ${table} ${NFT_TABLE}`,
    `table ${table} ${NFT_TABLE} {`,
    '  chain prerouting {',
  ];
  lines.push(`    type filter hook prerouting priority ${FWMARK_PRIORITY}; policy accept;`);
  marks.forEach((m, k) =>
    lines.push(`    meta mark ${m} dup to ${neighbour(k)} device "${TAP_IF}" drop`),
  );
  lines.push('  }', '}', '');
  return lines.join('\n');
}

/** The sysctls that let uvsfwm0 send IPv6 and keep it silent (set before it comes up). */
const QUIET_IPV6 = ['accept_dad=0', 'router_solicitations=0', 'accept_ra=0', 'disable_ipv6=0'];

export class FwmarkTap {
  /**
   * @param ipv6 Whether uvsfwm0 carries IPv6 (false on a host without IPv6: IPv6
   *   firewall-mark services then fail with an error that says so).
   */
  private constructor(readonly ipv6: boolean) {}

  /** Creates the veth pair (replacing a stale one) so that it can be captured on. */
  static async create(): Promise<FwmarkTap> {
    runSyncQuiet('ip', ['link', 'del', TAP_IF]);
    await run('ip', ['link', 'add', TAP_IF, 'type', 'veth', 'peer', 'name', TAP_PEER]);
    runSyncQuiet('sysctl', ['-qw', `net.ipv6.conf.${TAP_PEER}.disable_ipv6=1`]);
    const ipv6 =
      runSyncQuiet('ip', ['link', 'set', TAP_IF, 'addrgenmode', 'none']) &&
      QUIET_IPV6.every((s) => runSyncQuiet('sysctl', ['-qw', `net.ipv6.conf.${TAP_IF}.${s}`]));
    if (!ipv6) runSyncQuiet('sysctl', ['-qw', `net.ipv6.conf.${TAP_IF}.disable_ipv6=1`]);
    for (const i of [TAP_IF, TAP_PEER]) await run('ip', ['link', 'set', i, 'up']);
    await run('ip', ['addr', 'add', TAP_ADDR, 'dev', TAP_IF]);
    if (ipv6) await run('ip', ['-6', 'route', 'replace', TAP_ROUTE6, 'dev', TAP_IF]);
    return new FwmarkTap(ipv6);
  }

  /** pcap filter for what the tap carries: frames toward a mark MAC (IPv4 and IPv6). */
  static captureFilter(): string {
    return `ether[0:2] = 0x${MARK_MAC_PREFIX.toString(16).padStart(4, '0')}`;
  }

  /**
   * Installs neighbours and rules for the marks of the current fwmark services, IPv4's and
   * IPv6's. On a host where uvsfwm0 could not carry IPv6, the IPv4 marks are served and the
   * error names the IPv6 ones that are not.
   */
  async apply(marks: readonly number[], marks6: readonly number[] = []): Promise<void> {
    const served6 = this.ipv6 ? marks6 : [];
    const neighbour = (family: '-4' | '-6', addr: string, mark: number): Promise<string> =>
      run('ip', [
        family,
        'neigh',
        'replace',
        addr,
        'lladdr',
        formatMac(markMac(mark)),
        'dev',
        TAP_IF,
        'nud',
        'permanent',
      ]);
    for (let k = 0; k < marks.length; k++)
      await neighbour('-4', formatIpv4(markNeighbour(k)), marks[k]!);
    for (let k = 0; k < served6.length; k++) await neighbour('-6', markNeighbour6(k), served6[k]!);
    const rules = fwmarkRuleset(marks, 4) + (this.ipv6 ? fwmarkRuleset(served6, 6) : '');
    await run('nft', ['-f', '-'], rules);
    if (served6.length < marks6.length)
      throw new Error(
        `IPv6 firewall-mark services (mark ${marks6.join(', ')}) are not served: IPv6 could not be enabled on ${TAP_IF}`,
      );
  }

  /** Synchronous, for exit handlers. */
  close(): void {
    runSyncQuiet('nft', ['delete', 'table', 'ip', NFT_TABLE]);
    if (this.ipv6) runSyncQuiet('nft', ['delete', 'table', 'ip6', NFT_TABLE]);
    runSyncQuiet('ip', ['link', 'del', TAP_IF]);
  }
}
