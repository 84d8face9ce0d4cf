// `uvsd -f keepalived.conf`: the configuration's virtual servers kept in the director, and
// SIGHUP reloads: unchanged virtual servers keep their state, services, connections and
// counters; changed ones are restarted; removed ones leave the director. A file that does
// not read is reported and the running configuration stays.
import type { DirectorControl } from '../control/director-control.js';
import { readKeepalivedConfig } from './config.js';
import type { VirtualServerSpec } from './model.js';
import { ManagedService, type Log, type RealServerCheckState } from './managed-service.js';
import { virtualServerName, type VirtualServerStatus } from './status.js';

export class KeepalivedRunner {
  private services: ManagedService[] = [];

  constructor(
    private readonly file: string,
    private readonly director: DirectorControl,
    private readonly log: Log,
  ) {}

  /** Reads the file and applies it; throws ConfigError (nothing applied) when it does not read. */
  load(): void {
    const config = readKeepalivedConfig(this.file);
    for (const w of config.warnings) this.log(`warning: ${w}`);
    const keep: ManagedService[] = [];
    const next: ManagedService[] = [];
    for (const vs of config.virtualServers) {
      const same = this.services.find((m) => m.sameAs(vs));
      if (same) keep.push(same);
      else next.push(new ManagedService(vs, config.groups, this.director, this.logAbout(vs)));
    }
    const nextKeys = new Set(next.flatMap((m) => m.specs.map((s) => JSON.stringify(s.key))));
    for (const old of this.services) {
      if (keep.includes(old)) continue;
      // A changed virtual server whose services stay is edited in place (connections kept).
      old.stop(!old.specs.every((s) => nextKeys.has(JSON.stringify(s.key))));
    }
    const existing = new Set(this.director.services().map((s) => JSON.stringify(s.key)));
    for (const m of next) m.start(existing);
    this.services = [...keep, ...next];
    this.log(
      `${this.file}: ${config.virtualServers.length} virtual server(s), ${keep.length} unchanged`,
    );
  }

  /** A Log whose lines name the virtual server they are about, as keepalived's do. */
  private logAbout(vs: VirtualServerSpec): Log {
    const name = `virtual_server ${virtualServerName(vs.key)}`;
    return (msg) => this.log(`${name}: ${msg}`);
  }

  /** Each virtual server's real servers and checkers (SIGUSR1's state dump). */
  status(): VirtualServerStatus[] {
    return this.services.map((m) => m.status());
  }

  /** SIGHUP. */
  reload(): void {
    try {
      this.load();
    } catch (err) {
      this.log(`reload refused, running configuration kept: ${(err as Error).message}`);
    }
  }

  /** The checkers' view of every real server (uvsd --web shows it). */
  checkStates(): RealServerCheckState[] {
    return this.services.flatMap((m) => m.checkStates());
  }

  stop(): void {
    for (const m of this.services) m.stop(false);
  }
}
