// A virtual service as the engine holds it: its key, scheduler and real servers.
import { formatIpv4, parseIpv4 } from '../packet/addr.js';
import type { Dest } from './dest.js';
import { ControlError, type ServiceKey, type ServiceSpec, type ServiceView } from './model.js';
import { createScheduler } from './schedulers/registry.js';
import type { Scheduler } from './schedulers/scheduler.js';
import { Stats } from './stats.js';

export const PROTO_NUMBER = { tcp: 6, udp: 17 } as const;

/** Numeric key of an address service: VIP × 65536 + port (fits in 48 bits). */
export function addrServiceKey(vip: number, port: number): number {
  return vip * 65536 + port;
}

export class Service {
  readonly key: ServiceKey;
  /** IP protocol number (0 for a fwmark service). */
  readonly proto: number;
  readonly vip: number;
  readonly port: number;
  spec: ServiceSpec;
  scheduler: Scheduler;
  /** Real servers in the order they were added (as ipvsadm lists them). */
  dests: Dest[] = [];
  readonly stats = new Stats();
  /** Persistence templates by masked client address → connection-table slot. */
  readonly templates = new Map<number, number>();

  constructor(spec: ServiceSpec) {
    this.key = spec.key;
    if (spec.key.kind === 'addr') {
      this.proto = PROTO_NUMBER[spec.key.proto];
      this.vip = parseIpv4(spec.key.vip);
      this.port = spec.key.port;
    } else {
      this.proto = 0;
      this.vip = 0;
      this.port = 0;
    }
    this.spec = spec;
    this.scheduler = Service.makeScheduler(spec);
  }

  static makeScheduler(spec: ServiceSpec): Scheduler {
    const s = createScheduler(spec.scheduler, spec.schedFlags ?? []);
    if (!s) throw new ControlError('E_NO_SCHEDULER', `Scheduler not found: ${spec.scheduler}`);
    return s;
  }

  /** Applies an -E edit: a new scheduler only when its name or flags changed. */
  edit(spec: ServiceSpec, scheduler: Scheduler | undefined): void {
    this.spec = spec;
    if (scheduler) {
      this.scheduler = scheduler;
      scheduler.destsChanged(this.dests);
    }
  }

  findDest(addr: number, port: number): Dest | undefined {
    return this.dests.find((d) => d.addr === addr && d.port === port);
  }

  /** Persistence timeout in ms, 0 when the service is not persistent. */
  get persistenceMs(): number {
    return (this.spec.persistence?.timeout ?? 0) * 1000;
  }

  /** Persistence granularity (-M) as a uint32 mask. */
  get persistenceMask(): number {
    return this.spec.persistence ? parseIpv4(this.spec.persistence.netmask) : 0xffffffff;
  }

  get vipText(): string {
    return formatIpv4(this.vip);
  }

  view(): ServiceView {
    return {
      ...this.spec,
      dests: this.dests.map((d) => d.view()),
      stats: this.stats.view(),
      rate: this.stats.rate(),
    };
  }
}
