// A virtual service as the control plane holds it: its key, scheduler name and real servers.
import { parseIpv4 } from '../packet/addr.js';
import { IpProto } from '../packet/ipv4.js';
import type { Dest } from './dest.js';
import { ControlError, type ServiceKey, type ServiceSpec } from './model.js';
import { isSchedulerName } from './schedulers/registry.js';
import type { SnapshotService } from './snapshot.js';

/** IP protocol number of a service protocol name. */
export function protoNumber(proto: 'tcp' | 'udp'): number {
  return proto === 'tcp' ? IpProto.TCP : IpProto.UDP;
}

export class Service {
  /** Slot in the shared scheduler state and counters. */
  readonly id: number;
  readonly key: ServiceKey;
  /** IP protocol number (0 for a fwmark service). */
  readonly proto: number;
  readonly vip: number;
  readonly port: number;
  readonly fwmark: number;
  spec: ServiceSpec;
  /** Real servers in the order they were added (as ipvsadm lists them). */
  dests: Dest[] = [];
  /** Persistence granularity (-M) as a uint32 mask, parsed once. */
  private mask: number;

  constructor(id: number, spec: ServiceSpec) {
    Service.checkScheduler(spec);
    this.id = id;
    this.key = spec.key;
    if (spec.key.kind === 'addr') {
      this.proto = protoNumber(spec.key.proto);
      this.vip = parseIpv4(spec.key.vip);
      this.port = spec.key.port;
      this.fwmark = 0;
    } else {
      this.proto = 0;
      this.vip = 0;
      this.port = 0;
      this.fwmark = spec.key.fwmark;
    }
    this.spec = spec;
    this.mask = Service.maskOf(spec);
  }

  static checkScheduler(spec: ServiceSpec): void {
    if (!isSchedulerName(spec.scheduler)) {
      throw new ControlError('E_NO_SCHEDULER', `Scheduler not found: ${spec.scheduler}`);
    }
  }

  private static maskOf(spec: ServiceSpec): number {
    return spec.persistence ? parseIpv4(spec.persistence.netmask) : 0xffffffff;
  }

  /** Applies an -E edit. */
  edit(spec: ServiceSpec): void {
    Service.checkScheduler(spec);
    const mask = Service.maskOf(spec);
    this.spec = spec;
    this.mask = mask;
  }

  findDest(addr: number, port: number): Dest | undefined {
    return this.dests.find((d) => d.addr === addr && d.port === port);
  }

  snapshot(): SnapshotService {
    return {
      id: this.id,
      fwmark: this.fwmark,
      proto: this.proto,
      vip: this.vip,
      port: this.port,
      scheduler: this.spec.scheduler,
      schedFlags: this.spec.schedFlags ?? [],
      persistenceMs: (this.spec.persistence?.timeout ?? 0) * 1000,
      persistenceMask: this.mask,
      destIds: this.dests.map((d) => d.id),
    };
  }
}
