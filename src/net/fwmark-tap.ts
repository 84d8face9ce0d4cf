// Firewall-mark services. A packet socket sees a frame before netfilter, so the mark that an
// nftables rule (as iptables -j MARK for IPVS) puts on a packet is invisible to uvs. The tap
// makes it visible: uvs's own `ip` table, right after the mangle priority, duplicates each
// packet carrying a service's mark out of a veth of its own (uvsfwm0) toward a neighbour
// whose static MAC *is* the mark (02:75:MM:MM:MM:MM), and drops the original. uvs captures
// what uvsfwm0 transmits where it arrives, on its peer uvsfwm1 (a packet socket that ignores
// outgoing frames sees it there), and reads the mark back from the destination MAC.
import { formatIpv4, formatMac } from '../packet/addr.js';
import { run, runSyncQuiet } from './run.js';

export const TAP_IF = 'uvsfwm0';
const TAP_PEER = 'uvsfwm1';
/** Where uvs receives the tap's frames. */
export const TAP_CAPTURE_IF = TAP_PEER;
const TAP_ADDR = '169.254.255.254/16';
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

/** The nftables table duplicating marked packets to the tap (pure). */
export function fwmarkRuleset(marks: readonly number[]): string {
  const lines = [
    `table ip ${NFT_TABLE}`,
    `delete table ip ${NFT_TABLE}`,
    `table ip ${NFT_TABLE} {`,
    '  chain prerouting {',
  ];
  lines.push(`    type filter hook prerouting priority ${FWMARK_PRIORITY}; policy accept;`);
  marks.forEach((m, k) =>
    lines.push(`    meta mark ${m} dup to ${formatIpv4(markNeighbour(k))} device "${TAP_IF}" drop`),
  );
  lines.push('  }', '}', '');
  return lines.join('\n');
}

export class FwmarkTap {
  /** Creates the veth pair (replacing a stale one) so that it can be captured on. */
  static async create(): Promise<FwmarkTap> {
    runSyncQuiet('ip', ['link', 'del', TAP_IF]);
    await run('ip', ['link', 'add', TAP_IF, 'type', 'veth', 'peer', 'name', TAP_PEER]);
    for (const i of [TAP_IF, TAP_PEER]) {
      runSyncQuiet('sysctl', ['-qw', `net.ipv6.conf.${i}.disable_ipv6=1`]);
      await run('ip', ['link', 'set', i, 'up']);
    }
    await run('ip', ['addr', 'add', TAP_ADDR, 'dev', TAP_IF]);
    return new FwmarkTap();
  }

  /** pcap filter for what the tap carries: frames toward a mark MAC. */
  static captureFilter(): string {
    return `ether[0:2] = 0x${MARK_MAC_PREFIX.toString(16).padStart(4, '0')}`;
  }

  /** Installs neighbours and rules for the marks of the current fwmark services. */
  async apply(marks: readonly number[]): Promise<void> {
    for (let k = 0; k < marks.length; k++) {
      await run('ip', [
        'neigh',
        'replace',
        formatIpv4(markNeighbour(k)),
        'lladdr',
        formatMac(markMac(marks[k]!)),
        'dev',
        TAP_IF,
        'nud',
        'permanent',
      ]);
    }
    await run('nft', ['-f', '-'], fwmarkRuleset(marks));
  }

  /** Synchronous, for exit handlers. */
  close(): void {
    runSyncQuiet('nft', ['delete', 'table', 'ip', NFT_TABLE]);
    runSyncQuiet('ip', ['link', 'del', TAP_IF]);
  }
}
