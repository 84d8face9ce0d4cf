// The virtual services a replay runs with: what `uvsadm -S -n` printed (restored through
// uvsadm's own -R path), or a keepalived.conf with its checkers off (every real server up at
// its configured weight, so the sorry server only where keepalived would use it with all up).
import { readFileSync } from 'node:fs';
import type { DirectorControl } from '../control/director-control.js';
import { FwdMethod, type DestSpec } from '../engine/model.js';
import { execute } from '../ipvsadm/execute.js';
import { readKeepalivedConfig } from '../keepalived/config.js';
import { serviceSpecs } from '../keepalived/managed-service.js';
import type { VirtualServerSpec } from '../keepalived/model.js';
import { localControl } from '../ipvsadm/controls.js';

export class RulesError extends Error {
  readonly code = 'E_RULES';
}

export type RulesSource =
  | { readonly kind: 'uvsadm'; readonly file: string }
  | { readonly kind: 'keepalived'; readonly file: string };

const METHOD = { NAT: FwdMethod.Masq, DR: FwdMethod.Route, TUN: FwdMethod.Tunnel } as const;

/** Loads `source` into `director`; returns warnings (keepalived's, and that checkers are off). */
export async function loadRules(director: DirectorControl, source: RulesSource): Promise<string[]> {
  if (source.kind === 'uvsadm') {
    let text: string;
    try {
      text = readFileSync(source.file, 'utf8');
    } catch (err) {
      throw new RulesError(`${source.file}: ${(err as Error).message}`);
    }
    const r = await execute({ kind: 'restore' }, localControl(director), 'uvs-replay', () =>
      Promise.resolve(text),
    );
    if (r.exitCode !== 0) throw new RulesError(`${source.file}: ${r.stderr.trim()}`);
    return [];
  }
  const config = readKeepalivedConfig(source.file);
  for (const vs of config.virtualServers) {
    for (const spec of serviceSpecs(vs, config.groups)) {
      director.addService(spec);
      for (const d of destsWithCheckersOff(vs)) director.addDest(spec.key, d);
    }
  }
  return [...config.warnings, `${source.file}: checkers are off: every real server counts as up`];
}

/** What keepalived's virtual server puts in the director when every checker passes. */
export function destsWithCheckersOff(vs: VirtualServerSpec): DestSpec[] {
  const dest = (ip: string, port: number, weight: number, method = vs.method): DestSpec => ({
    addr: ip,
    port,
    method: METHOD[method],
    weight,
    upperThreshold: 0,
    lowerThreshold: 0,
  });
  const live = vs.realServers.reduce((w, rs) => w + rs.weight, 0);
  const quorumUp = live >= vs.quorum;
  const out = quorumUp
    ? vs.realServers.map((rs) => ({
        ...dest(rs.ip, rs.port, rs.weight, rs.method),
        upperThreshold: rs.upperThreshold,
        lowerThreshold: rs.lowerThreshold,
      }))
    : vs.realServers.filter((rs) => rs.inhibitOnFailure).map((rs) => dest(rs.ip, rs.port, 0));
  const sorry = vs.sorryServer;
  if (sorry && (!quorumUp || vs.sorryServerInhibit))
    out.push(dest(sorry.ip, sorry.port, quorumUp ? 0 : 1));
  return out;
}
