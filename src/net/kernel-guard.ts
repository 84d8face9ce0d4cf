// The kernel guard: an nftables table of uvs's own (`table netdev uvs`) that drops, at the
// ingress hook of each served interface, the frames uvs forwards, so that the director's
// kernel neither answers them (VIP configured locally: RST, duplicate ACKs) nor forwards them
// a second time (ip_forward=1, replies of NAT real servers). Packet sockets see a frame
// before the netdev ingress hook, so uvs still receives what the guard drops.
import { canonicalIpv6, formatIpv4 } from '../packet/addr.js';
import { run, runSyncQuiet } from './run.js';

export const GUARD_TABLE = 'uvs';

export interface GuardSpec {
  readonly interfaces: readonly string[];
  /** Virtual services: frames to VIP:port. */
  readonly services: readonly { proto: 'tcp' | 'udp'; vip: number; port: number }[];
  /** NAT real servers: their replies, except those to the director's own addresses. */
  readonly natDests: readonly { proto: 'tcp' | 'udp'; addr: number; port: number }[];
  readonly localAddrs: readonly number[];
  /** IPv6 virtual services (the `ip6` rules), addresses as IPv6 text in any valid form. */
  readonly services6?: readonly { proto: 'tcp' | 'udp'; vip: string; port: number }[];
  readonly natDests6?: readonly { proto: 'tcp' | 'udp'; addr: string; port: number }[];
  /** The director's own IPv6 addresses: NAT replies to them pass (its own connections). */
  readonly localAddrs6?: readonly string[];
}

// Port 0 is an all-ports (persistent) service or real server: match the protocol only.
function portMatch(proto: string, dir: 'dport' | 'sport', p: number): string {
  return p === 0 ? `meta l4proto ${proto}` : `${proto} ${dir} ${p}`;
}

/**
 * The same rules for IPv6 (the netdev hook sees both families; `ip6` matches only IPv6).
 * Addresses are canonicalized, which also refuses anything that is not an IPv6 address.
 */
function ipv6Rules(spec: GuardSpec): string[] {
  const local6 = (spec.localAddrs6 ?? []).map(canonicalIpv6);
  const notLocal = local6.length > 0 ? ` ip6 daddr != { ${local6.join(', ')} }` : '';
  return [
    ...(spec.services6 ?? []).map(
      (s) => `ip6 daddr ${canonicalIpv6(s.vip)} ${portMatch(s.proto, 'dport', s.port)} drop`,
    ),
    ...(spec.natDests6 ?? []).map(
      (d) =>
        `ip6 saddr ${canonicalIpv6(d.addr)} ${portMatch(d.proto, 'sport', d.port)}${notLocal} drop`,
    ),
  ];
}

/** The whole table as one nft transaction (pure). */
export function guardRuleset(spec: GuardSpec): string {
  const lines = [
    `table netdev ${GUARD_TABLE}`,
    `delete table netdev ${GUARD_TABLE}`,
    `table netdev ${GUARD_TABLE} {`,
  ];
  const local =
    spec.localAddrs.length > 0 ? `{ ${spec.localAddrs.map(formatIpv4).join(', ')} }` : undefined;
  const rules: string[] = [];
  for (const s of dedupe(
    spec.services.map(
      (s) => `ip daddr ${formatIpv4(s.vip)} ${portMatch(s.proto, 'dport', s.port)} drop`,
    ),
  ))
    rules.push(s);
  for (const d of dedupe(
    spec.natDests.map(
      (d) =>
        `ip saddr ${formatIpv4(d.addr)} ${portMatch(d.proto, 'sport', d.port)}${local ? ` ip daddr != ${local}` : ''} drop`,
    ),
  )) {
    rules.push(d);
  }
  rules.push(...dedupe(ipv6Rules(spec)));
  spec.interfaces.forEach((ifName, k) => {
    lines.push(`  chain ingress_${k} {`);
    lines.push(
      `    type filter hook ingress device ${JSON.stringify(ifName)} priority -500; policy accept;`,
    );
    for (const r of rules) lines.push(`    ${r}`);
    lines.push('  }');
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

export class KernelGuard {
  /** Replaces the whole table atomically (a stale table of a killed uvsd included). */
  async apply(spec: GuardSpec): Promise<void> {
    await run('nft', ['-f', '-'], guardRuleset(spec));
  }

  /** Removes the table; synchronous so that it can run in an exit handler. */
  remove(): void {
    runSyncQuiet('nft', ['delete', 'table', 'netdev', GUARD_TABLE]);
  }
}

/** The VRRP guard's own table, installed while uvsd runs VRRP instances. */
export const VRRP_GUARD_TABLE = 'uvs_vrrp';

/**
 * VRRP adverts (IP protocol 112, IPv6 next header 112) are uvsd's: dropped at ingress of the
 * VRRP interfaces so that the kernel, which has no VRRP socket, does not answer unicast adverts
 * with ICMP protocol unreachable (ICMPv6 parameter problem). uvsd's packet socket sees them
 * before this hook. (pure)
 */
export function vrrpGuardRuleset(interfaces: readonly string[]): string {
  const lines = [
    `table netdev ${VRRP_GUARD_TABLE}`,
    `delete table netdev ${VRRP_GUARD_TABLE}`,
    `table netdev ${VRRP_GUARD_TABLE} {`,
  ];
  interfaces.forEach((ifName, k) => {
    lines.push(`  chain vrrp_${k} {`);
    lines.push(
      `    type filter hook ingress device ${JSON.stringify(ifName)} priority -500; policy accept;`,
    );
    lines.push('    ip protocol vrrp drop');
    lines.push('    ip6 nexthdr vrrp drop');
    lines.push('  }');
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}

export class VrrpGuard {
  async apply(interfaces: readonly string[]): Promise<void> {
    await run('nft', ['-f', '-'], vrrpGuardRuleset(interfaces));
  }

  /** Synchronous: runs from exit handlers too. */
  remove(): void {
    runSyncQuiet('nft', ['delete', 'table', 'netdev', VRRP_GUARD_TABLE]);
  }
}
