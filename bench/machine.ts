// The machine a run was made on, for RESULTS.md (read at the start: the load is the load
// before the bench adds its own).
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { MachineInfo } from './report/results-md.js';

function version(cmd: string, args: readonly string[], pattern: RegExp, name: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  // stdout/stderr are null when the program could not be started at all.
  const m = pattern.exec(`${String(r.stdout)}${String(r.stderr)}`);
  return m ? `${name} ${m[1]}` : `${name} (version unknown)`;
}

export function machineInfo(): MachineInfo {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    kernel: release(),
    node: process.version,
    loadAtStart: loadavg(),
    memoryGiB: totalmem() / 2 ** 30,
    tools: [
      version('wrk', ['-v'], /wrk (\S+)/, 'wrk'),
      version('haproxy', ['-v'], /version (\S+)/, 'HAProxy'),
      version('nginx', ['-v'], /nginx\/([\w.-]+)/, 'nginx'),
      version('nft', ['--version'], /v([\d.]+)/, 'nftables'),
    ],
  };
}
