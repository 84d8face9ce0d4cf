// DirectorControl over the engine: what uvsadm's commands do to the tables. Pure; the daemon
// adds the side effects (routes, neighbours, kernel guard) through `onChange`.
import type { Engine } from './engine.js';
import type {
  ConnView,
  DestSpec,
  DirectorControl,
  ServiceKey,
  ServiceSpec,
  ServiceView,
  TimeoutsView,
} from './model.js';
import { ControlError } from './model.js';

export class Director implements DirectorControl {
  constructor(
    readonly engine: Engine,
    private readonly clock: () => number,
    private readonly onChange: () => void = () => {},
    /** More counters to report (the io backend's), supplied by the daemon. */
    private readonly extraCounters: () => Record<string, number> = () => ({}),
  ) {}

  addService(spec: ServiceSpec): void {
    this.engine.services.addService(spec);
    this.onChange();
  }

  editService(spec: ServiceSpec): void {
    this.engine.services.editService(spec);
    this.onChange();
  }

  deleteService(key: ServiceKey): void {
    this.engine.services.deleteService(key);
    this.onChange();
  }

  clear(): void {
    this.engine.services.clear();
    this.onChange();
  }

  addDest(key: ServiceKey, dest: DestSpec): void {
    this.engine.services.addDest(key, dest);
    this.onChange();
  }

  editDest(key: ServiceKey, dest: DestSpec): void {
    this.engine.services.editDest(key, dest);
    this.onChange();
  }

  deleteDest(key: ServiceKey, addr: string, port: number): void {
    this.engine.services.deleteDest(key, addr, port);
    this.onChange();
  }

  zero(key?: ServiceKey): void {
    const services = key ? [this.engine.services.find(key)] : this.engine.services.ordered;
    for (const svc of services) {
      if (!svc) throw new ControlError('E_NO_SERVICE', 'No such service');
      svc.stats.zero();
      for (const d of svc.dests) d.stats.zero();
    }
  }

  setTimeouts(t: TimeoutsView): void {
    if (![t.tcp, t.tcpFin, t.udp].every((v) => Number.isInteger(v) && v >= 0)) {
      throw new ControlError('E_INVALID', 'timeouts must be whole numbers of seconds');
    }
    this.engine.timeouts.set(t.tcp, t.tcpFin, t.udp);
  }

  timeouts(): TimeoutsView {
    const t = this.engine.timeouts;
    return { tcp: t.tcpEstablished, tcpFin: t.tcpFinWait, udp: t.udp };
  }

  services(): readonly ServiceView[] {
    return this.engine.services.ordered.map((s) => s.view());
  }

  connections(): readonly ConnView[] {
    return this.engine.lifecycle.views(this.clock());
  }

  connTableSize(): number {
    return this.engine.conns.buckets;
  }

  counters(): Readonly<Record<string, number>> {
    return {
      ...this.engine.counters.toJSON(),
      ...this.extraCounters(),
      connections: this.engine.conns.count,
    };
  }
}
