// The pair of directors brought to life: the HA maquette built by Lab, each director running
// uvsd -f with its own keepalived.conf, and what tests and `uvs-lab ha --check` ask of it:
// who holds the VIP, pulling a director's cables, stopping one, uvsadm on either.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, UVSADM, UVSD, UVS_LAB, type LabOptions, type RunResult } from './lab.js';
import { HA_GATEWAY, HA_MAQUETTE, HA_VIP, type HaDirector } from './maquette-ha.js';
import { LabCommandError } from './shell.js';
import type { StartedProcess } from './topology.js';

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class HaLab {
  readonly lab: Lab;
  private readonly uvsd = new Map<HaDirector, StartedProcess>();

  constructor(
    prefix: string,
    /** Where each director's keepalived.conf is written. */
    private readonly confDir: string,
    opts: LabOptions = {},
  ) {
    this.lab = new Lab(HA_MAQUETTE, prefix, opts);
  }

  build(): this {
    this.lab.build();
    return this;
  }

  ns(host: string): string {
    return this.lab.ns(host);
  }

  confPath(d: HaDirector): string {
    return join(this.confDir, `keepalived-${d}.conf`);
  }

  /** Writes `conf` and starts uvsd -f on it in `d`; waits (bounded) until uvsadm reaches it. */
  async startDirector(
    d: HaDirector,
    conf: string,
    extraArgs: readonly string[] = [],
  ): Promise<StartedProcess> {
    mkdirSync(this.confDir, { recursive: true });
    writeFileSync(this.confPath(d), conf);
    const p = this.lab.startIn(d, 'uvsd', process.execPath, [
      UVSD,
      '-f',
      this.confPath(d),
      ...extraArgs,
    ]);
    this.uvsd.set(d, p);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.uvsadm(d, ['-Ln']).code === 0) return p;
      if (p.child.exitCode !== null) break;
      await pause(100);
    }
    throw new LabCommandError(`uvsd did not answer uvsadm in ${this.ns(d)}: ${p.output()}`);
  }

  /** Sends `signal` to a director's uvsd and waits (bounded) for it to exit. */
  async stopDirector(d: HaDirector, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.uvsd.get(d);
    if (!p || p.child.exitCode !== null) return;
    // `ip netns exec` execs uvsd in place: the child is uvsd itself.
    const exited = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
    p.child.kill(signal);
    await Promise.race([exited, pause(10_000)]);
  }

  output(d: HaDirector): string {
    return this.uvsd.get(d)?.output() ?? '';
  }

  uvsadm(d: HaDirector, args: readonly string[]): RunResult {
    return this.lab.run(d, process.execPath, [UVSADM, ...args]);
  }

  /** The connections a director's backup sync daemon holds, as -Lnc prints them. */
  syncHeld(d: HaDirector): RunResult {
    return this.lab.run(d, process.execPath, [UVS_LAB, 'sync-status']);
  }

  /** The VIPs a director holds on its kernel interfaces (a VRRP master holds both). */
  vipsHeld(d: HaDirector): string[] {
    const r = this.lab.run(d, 'ip', ['-j', 'addr', 'show']);
    if (r.code !== 0) return [];
    const rows = JSON.parse(r.stdout) as { addr_info?: { local: string }[] }[];
    const mine = new Set(rows.flatMap((x) => (x.addr_info ?? []).map((a) => a.local)));
    return [HA_VIP, HA_GATEWAY].filter((v) => mine.has(v));
  }

  isMaster(d: HaDirector): boolean {
    return this.vipsHeld(d).length === 2;
  }

  /** Polls until `d` holds both VIPs; returns the milliseconds it took. */
  async waitMaster(d: HaDirector, timeoutMs: number): Promise<number> {
    const start = Date.now();
    while (!this.isMaster(d)) {
      if (Date.now() - start > timeoutMs)
        throw new LabCommandError(`${d} did not become master within ${timeoutMs} ms`);
      await pause(50);
    }
    return Date.now() - start;
  }

  /** Pulls (or plugs back) both cables of a director: its two switch ports. */
  cables(d: HaDirector, plugged: boolean): void {
    this.lab.topo.cable(d, 'eth1', plugged);
    this.lab.topo.cable(d, 'eth2', plugged);
  }

  destroy(): void {
    this.lab.destroy();
  }
}
