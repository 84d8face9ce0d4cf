// The kernel's own NAT path on the director: ip_vs driven by the real ipvsadm where the kernel
// has it (kernel-ipvs), else nftables DNAT with `numgen inc mod 2` over S1/S2 and conntrack
// (kernel-nat), for TCP 80 and 7 and UDP 5001.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ECHO_PORT, HTTP_PORT, serverNatAddr, UDP_PORT, VIP_NAT } from '../bench-maquette.js';
import { PATH_WORKLOADS } from '../report/workloads.js';
import { runIn } from '../run-in.js';
import { PathUnavailable, type BenchPath, type PathEnv, type PathRun } from './path.js';

const NFT_TABLE = 'uvsbench_nat';

/** The nftables ruleset of kernel-nat (pure). */
export function dnatRuleset(): string {
  const map = `numgen inc mod 2 map { 0 : ${serverNatAddr(1)}, 1 : ${serverNatAddr(2)} }`;
  return [
    `table ip ${NFT_TABLE} {`,
    '  chain pre {',
    '    type nat hook prerouting priority -100;',
    `    ip daddr ${VIP_NAT} tcp dport { ${HTTP_PORT}, ${ECHO_PORT} } dnat to ${map}`,
    `    ip daddr ${VIP_NAT} udp dport ${UDP_PORT} dnat to ${map}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** ipvsadm's commands for kernel-ipvs (pure). */
export function ipvsadmCommands(): string[][] {
  const services: [string, number][] = [
    ['-t', HTTP_PORT],
    ['-t', ECHO_PORT],
    ['-u', UDP_PORT],
  ];
  return services.flatMap(([proto, port]) => [
    ['-A', proto, `${VIP_NAT}:${port}`, '-s', 'rr'],
    ...([1, 2] as const).map((n) => [
      '-a',
      proto,
      `${VIP_NAT}:${port}`,
      '-r',
      `${serverNatAddr(n)}:${port}`,
      '-m',
    ]),
  ]);
}

/** ip_vs is there (or loadable) and ipvsadm is installed. */
export function kernelHasIpvs(): boolean {
  if (spawnSync('sh', ['-c', 'command -v ipvsadm']).status !== 0) return false;
  if (existsSync('/proc/net/ip_vs')) return true;
  return spawnSync('modprobe', ['ip_vs']).status === 0 && existsSync('/proc/net/ip_vs');
}

async function must(
  env: PathEnv,
  cmd: string,
  args: readonly string[],
  input?: string,
): Promise<void> {
  const r =
    input === undefined
      ? await runIn(env.lab.ns('director'), cmd, args, 10_000)
      : env.lab.run('director', cmd, args, input);
  if (r.code !== 0) throw new PathUnavailable(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
}

export function kernelPath(useIpvs: boolean): BenchPath {
  const name = useIpvs ? 'kernel-ipvs' : 'kernel-nat';
  return {
    name,
    label: name,
    workloads: PATH_WORKLOADS,
    setupEstimateS: 0.5,
    async setUp(env: PathEnv): Promise<PathRun> {
      env.offloads.apply('default');
      if (useIpvs) for (const c of ipvsadmCommands()) await must(env, 'ipvsadm', c);
      else await must(env, 'nft', ['-f', '-'], dnatRuleset());
      return { id: { path: name, io: null, workers: null }, target: VIP_NAT };
    },
    async tearDown(env: PathEnv): Promise<void> {
      if (useIpvs) await runIn(env.lab.ns('director'), 'ipvsadm', ['-C'], 10_000);
      // Its conntrack entries stay (no conntrack tool here): a new SYN on an old tuple is
      // NATed afresh, and uvsd's guard drops its frames at ingress, before conntrack.
      else await runIn(env.lab.ns('director'), 'nft', ['delete', 'table', 'ip', NFT_TABLE], 10_000);
    },
  };
}
