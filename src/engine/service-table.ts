// The virtual services and their real servers, edited by the control plane, read per frame
// by the engine. Every edit validates first and changes nothing when it throws.
import { parseIpv4 } from '../packet/addr.js';
import { Dest } from './dest.js';
import {
  ControlError,
  FwdMethod,
  type DestSpec,
  type ServiceKey,
  type ServiceSpec,
} from './model.js';
import { addrServiceKey, PROTO_NUMBER, Service } from './service.js';

export class ServiceTable {
  /** Address services by protocol number, keyed by addrServiceKey(vip, port). */
  private readonly byAddr = new Map<number, Map<number, Service>>([
    [PROTO_NUMBER.tcp, new Map()],
    [PROTO_NUMBER.udp, new Map()],
  ]);
  private readonly byFwmark = new Map<number, Service>();
  /** VIP → number of services on it (for ARP answers and fragment accounting). */
  private readonly vips = new Map<number, number>();
  /** Services in creation order, as ipvsadm lists them. */
  readonly ordered: Service[] = [];
  /** Dest registry: connections refer to dests by index; a slot is freed when unused. */
  readonly destsById: (Dest | undefined)[] = [];
  /** Service registry by id (index), for connections' service counters. */
  readonly servicesById: (Service | undefined)[] = [];
  private readonly serviceIds = new Map<Service, number>();

  /** Per-frame lookup: the address service of (proto, vip, port), allocation-free. */
  lookup(proto: number, vip: number, port: number): Service | undefined {
    return this.byAddr.get(proto)?.get(addrServiceKey(vip, port));
  }

  /** The service a new flow belongs to: its port's, else the VIP's all-ports (port 0) one. */
  lookupFlow(proto: number, vip: number, port: number): Service | undefined {
    const map = this.byAddr.get(proto);
    return (
      map?.get(addrServiceKey(vip, port)) ??
      (this.vips.has(vip) ? map?.get(addrServiceKey(vip, 0)) : undefined)
    );
  }

  /** Per-frame lookup of a firewall-mark service. */
  lookupMark(mark: number): Service | undefined {
    return this.byFwmark.get(mark);
  }

  /** Marks of the firewall-mark services, for the mark tap. */
  marks(): number[] {
    return [...this.byFwmark.keys()];
  }

  isVip(addr: number): boolean {
    return this.vips.has(addr);
  }

  idOf(svc: Service): number {
    return this.serviceIds.get(svc)!;
  }

  find(key: ServiceKey): Service | undefined {
    if (key.kind === 'fwmark') return this.byFwmark.get(key.fwmark);
    return this.lookup(PROTO_NUMBER[key.proto], parseIpv4(key.vip), key.port);
  }

  private get(key: ServiceKey): Service {
    const svc = this.find(key);
    if (!svc) throw new ControlError('E_NO_SERVICE', 'No such service');
    return svc;
  }

  /** Refuses what this engine does not forward yet, rather than accepting it silently. */
  private checkService(spec: ServiceSpec): void {
    if (
      spec.key.kind === 'fwmark' &&
      (!Number.isInteger(spec.key.fwmark) || spec.key.fwmark <= 0 || spec.key.fwmark > 0xffffffff)
    ) {
      throw new ControlError('E_INVALID', `invalid fwmark ${spec.key.fwmark}`);
    }
  }

  addService(spec: ServiceSpec): Service {
    if (this.find(spec.key)) throw new ControlError('E_SERVICE_EXISTS', 'Service already exists');
    this.checkService(spec);
    const svc = new Service(spec);
    if (spec.key.kind === 'fwmark') this.byFwmark.set(spec.key.fwmark, svc);
    else {
      this.byAddr.get(svc.proto)!.set(addrServiceKey(svc.vip, svc.port), svc);
      this.vips.set(svc.vip, (this.vips.get(svc.vip) ?? 0) + 1);
    }
    this.ordered.push(svc);
    const id = this.servicesById.length;
    this.servicesById.push(svc);
    this.serviceIds.set(svc, id);
    return svc;
  }

  editService(spec: ServiceSpec): void {
    const svc = this.get(spec.key);
    this.checkService(spec);
    const sameScheduler =
      svc.spec.scheduler === spec.scheduler &&
      (svc.spec.schedFlags ?? []).join(',') === (spec.schedFlags ?? []).join(',');
    svc.edit(spec, sameScheduler ? undefined : Service.makeScheduler(spec));
  }

  /** Removes a service; its dests leave service and their connections expire naturally. */
  deleteService(key: ServiceKey): Service {
    const svc = this.get(key);
    if (key.kind === 'fwmark') this.byFwmark.delete(key.fwmark);
    else {
      this.byAddr.get(svc.proto)!.delete(addrServiceKey(svc.vip, svc.port));
      const n = (this.vips.get(svc.vip) ?? 1) - 1;
      if (n === 0) this.vips.delete(svc.vip);
      else this.vips.set(svc.vip, n);
    }
    this.ordered.splice(this.ordered.indexOf(svc), 1);
    for (const d of svc.dests) d.inService = false;
    return svc;
  }

  clear(): void {
    for (const svc of [...this.ordered]) this.deleteService(svc.key);
  }

  private checkDest(spec: DestSpec): void {
    if (spec.method === FwdMethod.Local) {
      throw new ControlError(
        'E_INVALID',
        'forwarding method local is not supported by this uvs version',
      );
    }
  }

  addDest(key: ServiceKey, spec: DestSpec): Dest {
    const svc = this.get(key);
    const addr = parseIpv4(spec.addr);
    if (svc.findDest(addr, spec.port))
      throw new ControlError('E_DEST_EXISTS', 'Destination already exists');
    this.checkDest(spec);
    let id = this.destsById.indexOf(undefined);
    if (id < 0) id = this.destsById.length;
    const dest = new Dest(id, addr, spec);
    this.destsById[id] = dest;
    svc.dests.push(dest);
    svc.scheduler.destsChanged(svc.dests);
    return dest;
  }

  editDest(key: ServiceKey, spec: DestSpec): Dest {
    const svc = this.get(key);
    const dest = svc.findDest(parseIpv4(spec.addr), spec.port);
    if (!dest) throw new ControlError('E_NO_DEST', 'No such destination');
    this.checkDest(spec);
    dest.method = spec.method;
    dest.weight = spec.weight;
    dest.upperThreshold = spec.upperThreshold;
    dest.lowerThreshold = spec.lowerThreshold;
    dest.updateOverload();
    svc.scheduler.destsChanged(svc.dests);
    return dest;
  }

  deleteDest(key: ServiceKey, addr: string, port: number): Dest {
    const svc = this.get(key);
    const dest = svc.findDest(parseIpv4(addr), port);
    if (!dest) throw new ControlError('E_NO_DEST', 'No such destination');
    svc.dests.splice(svc.dests.indexOf(dest), 1);
    dest.inService = false;
    svc.scheduler.destsChanged(svc.dests);
    return dest;
  }

  /** Frees the registry slot of a dest out of service once no connection refers to it. */
  releaseIfUnused(dest: Dest): void {
    if (!dest.inService && dest.activeConns + dest.inactiveConns + dest.persistentConns === 0) {
      this.destsById[dest.id] = undefined;
    }
  }

  /** Every dest in service, across services (for route/neighbour resolution and the guard). */
  *activeDests(): IterableIterator<Dest> {
    for (const svc of this.ordered) yield* svc.dests;
  }
}
