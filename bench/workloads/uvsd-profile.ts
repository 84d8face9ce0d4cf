// Where uvsd's time goes, and whether it allocates in steady state: uvsd (uvs-nat) started
// under node --cpu-prof --trace-gc, 10 s of keep-alive load, then its CPU profile and its
// collections within the load, 0.5 s trimmed at each end. The collections are the trace lines
// uvsd printed between those two moments (its output is read while wrk runs).
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAndWarm } from '../check-path.js';
import type { PathEnv } from '../paths/path.js';
import { PathUnavailable } from '../paths/path.js';
import { startUvsd, uvsadmCommands } from '../paths/uvs.js';
import { VIP_NAT } from '../bench-maquette.js';
import { summarizeProfiles, type CpuProfile } from '../report/cpu-profile.js';
import { summarizeGcTrace } from '../report/gc-trace.js';
import type { UvsdProfileReport } from '../report/profile-section.js';
import { stopChild } from '../run-in.js';
import { detectIo, type UvsVariant } from '../variants.js';
import { runWrk } from './wrk.js';

export const PROFILE_SECONDS = 10;
const TRIM_MS = 500;
const TOP = 15;

export async function profileUvsd(env: PathEnv, variant: UvsVariant): Promise<UvsdProfileReport> {
  const dir = join(env.workDir, 'cpuprofile');
  mkdirSync(dir, { recursive: true });
  env.offloads.apply('default');
  const spawnedAt = Date.now();
  const uvsd = await startUvsd(env, variant.args, [
    '--trace-gc',
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
  ]);
  let load: { from: number; to: number; rps: number };
  try {
    const { io, workers } = detectIo(uvsd.output(), variant.args);
    if (io === 'pcap') env.offloads.apply('off', env.lab.ns('director'));
    for (const c of uvsadmCommands('nat')) {
      const r = env.lab.uvsadm(c);
      if (r.code !== 0) throw new PathUnavailable(`uvsadm ${c.join(' ')}: ${r.stderr.trim()}`);
    }
    await checkAndWarm(env, VIP_NAT);
    const from = Date.now() - spawnedAt;
    const cut = [0, 0];
    const edges = [TRIM_MS, PROFILE_SECONDS * 1000 - TRIM_MS].map((ms, k) =>
      setTimeout(() => (cut[k] = uvsd.output().length), ms),
    );
    const m = await runWrk(env.lab, 'keepalive-rps', VIP_NAT, PROFILE_SECONDS);
    edges.forEach(clearTimeout);
    load = { from, to: Date.now() - spawnedAt, rps: m.value };
    const gcTrace = uvsd.output().slice(cut[0], cut[1]);
    // The profile is written when uvsd exits.
    await stopChild(uvsd.child, 15_000);
    const id = { path: 'uvs-nat', io: io ?? variant.name, workers };
    const profiles = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
    if (profiles.length === 0)
      throw new Error(`uvsd wrote no CPU profile: ${uvsd.output().slice(-300)}`);
    const window = [load.from + TRIM_MS, load.to - TRIM_MS] as const;
    return {
      id,
      seconds: PROFILE_SECONDS,
      requestsPerS: load.rps,
      gc: summarizeGcTrace(gcTrace),
      cpu: summarizeProfiles(profiles, ...window, TOP),
    };
  } finally {
    await stopChild(uvsd.child);
  }
}
