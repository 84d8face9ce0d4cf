// uvs-nat, uvs-dr, uvs-tun: uvsd (a variant's arguments) in the director, driven as a black box
// through its command line and uvsadm; for TUN the real servers run uvs-tun-endpoint.
import { join } from 'node:path';
import { UVSADM, UVSD, UVS_TUN_ENDPOINT } from '../../src/lab/lab.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import {
  ECHO_PORT,
  HTTP_PORT,
  SERVERS,
  serverAddr,
  serverNatAddr,
  UDP_PORT,
  VIP_DR,
  VIP_NAT,
  VIP_TUN,
} from '../bench-maquette.js';
import { PATH_WORKLOADS } from '../report/workloads.js';
import { runIn, sleep, stopChild } from '../run-in.js';
import { detectIo, type UvsMode, type UvsVariant } from '../variants.js';
import { PathUnavailable, type BenchPath, type PathEnv, type PathRun } from './path.js';

const MODE = {
  nat: { vip: VIP_NAT, flag: '-m', real: serverNatAddr },
  dr: { vip: VIP_DR, flag: '-g', real: serverAddr },
  tun: { vip: VIP_TUN, flag: '-i', real: serverAddr },
} as const;

/** uvsadm's commands for `mode`: rr services on TCP 80 and 7 and UDP 5001 (pure). */
export function uvsadmCommands(mode: UvsMode): string[][] {
  const { vip, flag, real } = MODE[mode];
  const services: [string, number][] = [
    ['-t', HTTP_PORT],
    ['-t', ECHO_PORT],
    ['-u', UDP_PORT],
  ];
  return services.flatMap(([proto, port]) => [
    ['-A', proto, `${vip}:${port}`, '-s', 'rr'],
    ...SERVERS.map((n) => [
      '-a',
      proto,
      `${vip}:${port}`,
      '-r',
      `${real(n)}:${port}`,
      flag,
      '-w',
      '1',
    ]),
  ]);
}

/**
 * Starts uvsd with `args` and waits (bounded) until uvsadm reaches it; the event loop keeps
 * running meanwhile, so a uvsd that exits (refusing a flag) is seen at once, with its words.
 */
export async function startUvsd(
  env: PathEnv,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): Promise<StartedProcess> {
  // Each start is a fresh director: no rules or connections of the previous path or round
  // (uvsd restores both by default), and its state kept in the bench's own directory.
  const own = ['--no-restore', '--state-dir', join(env.workDir, 'uvsd-state')];
  const uvsd = env.lab.startIn('director', 'uvsd', process.execPath, [
    ...nodeFlags,
    UVSD,
    ...args,
    ...own,
  ]);
  const ns = env.lab.ns('director');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await runIn(ns, process.execPath, [UVSADM, '-Ln'], 5000);
    if (r.code === 0) break;
    if (uvsd.child.exitCode !== null || Date.now() > deadline) {
      await stopChild(uvsd.child);
      await sleep(100);
      const how =
        uvsd.child.exitCode !== null
          ? `exited with ${uvsd.child.exitCode}`
          : 'did not answer uvsadm in 20 s';
      throw new PathUnavailable(`uvsd ${args.join(' ')} ${how}: ${firstLines(uvsd.output())}`);
    }
    await sleep(100);
  }
  // Its start line ("serving …(io pcap)…") follows the control socket by a moment.
  const lineDeadline = Date.now() + 3000;
  while (!/serving/.test(uvsd.output()) && Date.now() < lineDeadline) await sleep(50);
  return uvsd;
}

function firstLines(s: string): string {
  return s
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, 3)
    .join(' / ');
}

export function uvsPath(mode: UvsMode, variant: UvsVariant): BenchPath {
  const name = `uvs-${mode}`;
  let uvsd: StartedProcess | undefined;
  const endpoints: StartedProcess[] = [];
  return {
    name,
    label: `${name} [${variant.name}]`,
    workloads: PATH_WORKLOADS,
    setupEstimateS: mode === 'tun' ? 4 : 3,
    async setUp(env: PathEnv): Promise<PathRun> {
      // The distribution's offloads, then uvsd sets its own interfaces as it sees fit.
      env.offloads.apply('default');
      uvsd = await startUvsd(env, variant.args);
      const { io, workers } = detectIo(uvsd.output(), variant.args);
      // libpcap cannot forward a peer's partial checksums or TSO super-frames.
      if (io === 'pcap') env.offloads.apply('off', env.lab.ns('director'));
      for (const c of uvsadmCommands(mode)) {
        const r = env.lab.uvsadm(c);
        if (r.code !== 0) throw new PathUnavailable(`uvsadm ${c.join(' ')}: ${r.stderr.trim()}`);
      }
      if (mode === 'tun') await startTunEndpoints(env, endpoints);
      return { id: { path: name, io: io ?? variant.name, workers }, target: MODE[mode].vip };
    },
    async tearDown(): Promise<void> {
      for (const p of endpoints.splice(0)) await stopChild(p.child);
      if (uvsd) await stopChild(uvsd.child);
      uvsd = undefined;
    },
  };
}

/** uvs-tun-endpoint on S1/S2 (no ipip module here), ready when its veth pair is up. */
async function startTunEndpoints(env: PathEnv, into: StartedProcess[]): Promise<void> {
  for (const n of SERVERS)
    into.push(
      env.lab.startIn(`s${n}`, 'tun-endpoint', process.execPath, [
        UVS_TUN_ENDPOINT,
        '-i',
        'eth0',
        '--vip',
        VIP_TUN,
      ]),
    );
  for (const [k, n] of SERVERS.entries()) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await runIn(
        env.lab.ns(`s${n}`),
        'ip',
        ['-o', 'link', 'show', 'uvstun1', 'up'],
        5000,
      );
      if (r.code === 0 && r.stdout.includes('uvstun1')) break;
      if (into[k]!.child.exitCode !== null || Date.now() > deadline)
        throw new PathUnavailable(
          `uvs-tun-endpoint on s${n} did not start: ${firstLines(into[k]!.output())}`,
        );
      await sleep(100);
    }
  }
}
