// Rules survive a restart (issue 11): after every change of the rules, what `uvsadm -S -n`
// prints is saved (ConfigStore); at start it is restored through uvsadm's own -R code path.
// Not with -f: a keepalived.conf is its own saved configuration.
import type { DirectorControl } from '../control/director-control.js';
import type { ListFormat } from '../ipvsadm/command.js';
import { localControl } from '../ipvsadm/controls.js';
import { execute } from '../ipvsadm/execute.js';
import { saveRules } from '../ipvsadm/format-listing.js';
import type { ConfigStore } from './config-store.js';
import type { Log } from './log.js';

const SAVE_FORMAT: ListFormat = {
  numeric: true,
  stats: false,
  rate: false,
  thresholds: false,
  persistentConn: false,
  exact: false,
  nosort: false,
};

/** The methods of DirectorControl that change what -S prints. */
const RULE_CHANGES = new Set<keyof DirectorControl>([
  'addService',
  'editService',
  'deleteService',
  'clear',
  'addDest',
  'editDest',
  'deleteDest',
]);

export class SavedRules {
  constructor(
    private readonly store: ConfigStore,
    private readonly director: DirectorControl,
    private readonly log: Log,
  ) {}

  /** The rules as `uvsadm -S -n` prints them. */
  text(): string {
    return saveRules(this.director.services(), SAVE_FORMAT);
  }

  /** Saves the rules now; a failure is logged (the director carries on). */
  save(): void {
    try {
      this.store.save(this.text());
    } catch (err) {
      this.log(`uvsd: ${(err as Error).message}`);
    }
  }

  /** Restores the saved rules with uvsadm -R; returns false (and logs) when they do not apply. */
  async restore(): Promise<boolean> {
    const text = this.store.load();
    if (text === undefined || text.trim() === '') return true;
    const r = await execute({ kind: 'restore' }, localControl(this.director), 'uvsd', () =>
      Promise.resolve(text),
    );
    const lines = text.split('\n').filter((l) => l.trim() !== '').length;
    if (r.exitCode !== 0) {
      this.log(
        `uvsd: restoring ${this.store.path} stopped: ${r.stderr.trim()} (the rules before that line are in place)`,
      );
      return false;
    }
    this.log(`uvsd: restored ${lines} rule(s) from ${this.store.path}`);
    return true;
  }

  /** `director`, saving the rules after each change that succeeds. */
  watching(director: DirectorControl = this.director): DirectorControl {
    return new Proxy(director, {
      get: (target, prop: keyof DirectorControl): unknown => {
        const value: unknown = Reflect.get(target, prop);
        if (typeof value !== 'function' || !RULE_CHANGES.has(prop)) return value;
        const method = value as (...a: unknown[]) => unknown;
        return (...args: unknown[]): unknown => {
          const result = method.apply(target, args);
          this.save();
          return result;
        };
      },
    });
  }
}
