// haproxy: HAProxy in mode tcp on the director, round robin over S1/S2, for TCP 80 and 7
// (HAProxy does not balance UDP: no udp-pps).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedProcess } from '../../src/lab/topology.js';
import { ECHO_PORT, HTTP_PORT, serverNatAddr, VIP_NAT } from '../bench-maquette.js';
import { PATH_WORKLOADS } from '../report/workloads.js';
import { stopChild, waitListening } from '../run-in.js';
import { PathUnavailable, type BenchPath, type PathEnv, type PathRun } from './path.js';

/** haproxy.cfg (pure). */
export function haproxyConfig(): string {
  const proxies = [HTTP_PORT, ECHO_PORT].flatMap((port) => [
    `listen vip${port}`,
    `  bind ${VIP_NAT}:${port}`,
    '  balance roundrobin',
    `  server s1 ${serverNatAddr(1)}:${port}`,
    `  server s2 ${serverNatAddr(2)}:${port}`,
  ]);
  return [
    'global',
    '  maxconn 8000',
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    ...proxies,
    '',
  ].join('\n');
}

export function haproxyPath(): BenchPath {
  let proc: StartedProcess | undefined;
  return {
    name: 'haproxy',
    label: 'haproxy',
    workloads: PATH_WORKLOADS.filter((w) => w !== 'udp-pps'),
    setupEstimateS: 1.5,
    async setUp(env: PathEnv): Promise<PathRun> {
      env.offloads.apply('default');
      const cfg = join(env.workDir, 'haproxy.cfg');
      writeFileSync(cfg, haproxyConfig());
      const p = env.lab.startIn('director', 'haproxy', 'haproxy', ['-db', '-f', cfg]);
      proc = p;
      try {
        for (const port of [HTTP_PORT, ECHO_PORT])
          await waitListening(env.lab.ns('director'), port, p.child, () => p.output());
      } catch (err) {
        throw new PathUnavailable(`haproxy did not start: ${(err as Error).message}`);
      }
      return { id: { path: 'haproxy', io: null, workers: null }, target: VIP_NAT };
    },
    async tearDown(): Promise<void> {
      if (proc) await stopChild(proc.child);
      proc = undefined;
    },
  };
}
