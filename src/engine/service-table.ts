// The virtual services and their real servers, as the control plane edits them (uvsadm,
// keepalived.conf). Every edit validates first and changes nothing when it throws. Services and
// real servers get slots (ids) in the fast path's shared state; the slot of one that was removed
// is given out again only once no connection refers to it any more.
import { parseIpv4 } from '../packet/addr.js';
import { Dest } from './dest.js';
import {
  ControlError,
  FwdMethod,
  type DestSpec,
  type ServiceKey,
  type ServiceSpec,
} from './model.js';
import { protoNumber, Service } from './service.js';
import { MAX_DESTS, MAX_SERVICES } from './shared/limits.js';

function addrKey(proto: number, vip: number, port: number): string {
  return `${proto}/${vip}/${port}`;
}

export class ServiceTable {
  private readonly byAddr = new Map<string, Service>();
  private readonly byFwmark = new Map<number, Service>();
  /** Services in creation order, as ipvsadm lists them. */
  readonly ordered: Service[] = [];
  /** Slot → dest, in service or removed but still referred to by connections. */
  readonly destsById: (Dest | undefined)[] = [];
  /** Slot → service, in the table or deleted but with real servers not yet released. */
  readonly servicesById: (Service | undefined)[] = [];

  find(key: ServiceKey): Service | undefined {
    if (key.kind === 'fwmark') return this.byFwmark.get(key.fwmark);
    return this.byAddr.get(addrKey(protoNumber(key.proto), parseIpv4(key.vip), key.port));
  }

  private get(key: ServiceKey): Service {
    const svc = this.find(key);
    if (!svc) throw new ControlError('E_NO_SERVICE', 'No such service');
    return svc;
  }

  private checkService(spec: ServiceSpec): void {
    const k = spec.key;
    if (
      k.kind === 'fwmark' &&
      (!Number.isInteger(k.fwmark) || k.fwmark <= 0 || k.fwmark > 0xffffffff)
    ) {
      throw new ControlError('E_INVALID', `invalid fwmark ${k.fwmark}`);
    }
  }

  addService(spec: ServiceSpec): Service {
    if (this.find(spec.key)) throw new ControlError('E_SERVICE_EXISTS', 'Service already exists');
    this.checkService(spec);
    const id = freeSlot(this.servicesById, MAX_SERVICES, 'virtual services');
    const svc = new Service(id, spec);
    if (spec.key.kind === 'fwmark') this.byFwmark.set(spec.key.fwmark, svc);
    else this.byAddr.set(addrKey(svc.proto, svc.vip, svc.port), svc);
    this.ordered.push(svc);
    this.servicesById[id] = svc;
    return svc;
  }

  editService(spec: ServiceSpec): Service {
    const svc = this.get(spec.key);
    this.checkService(spec);
    svc.edit(spec);
    return svc;
  }

  /** Removes a service; its dests leave service and their connections expire naturally. */
  deleteService(key: ServiceKey): Service {
    const svc = this.get(key);
    if (key.kind === 'fwmark') this.byFwmark.delete(key.fwmark);
    else this.byAddr.delete(addrKey(svc.proto, svc.vip, svc.port));
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
    const id = freeSlot(this.destsById, MAX_DESTS, 'real servers');
    const dest = new Dest(id, addr, spec);
    this.destsById[id] = dest;
    svc.dests.push(dest);
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
    return dest;
  }

  deleteDest(key: ServiceKey, addr: string, port: number): Dest {
    const svc = this.get(key);
    const dest = svc.findDest(parseIpv4(addr), port);
    if (!dest) throw new ControlError('E_NO_DEST', 'No such destination');
    svc.dests.splice(svc.dests.indexOf(dest), 1);
    dest.inService = false;
    return dest;
  }

  /**
   * Frees the slots of removed dests that no connection refers to (`unused(id)`), and of
   * deleted services once none of their dests remain. Returns true when something was freed.
   */
  release(unused: (destId: number) => boolean): boolean {
    let freed = false;
    for (const d of this.destsById) {
      if (d && !d.inService && unused(d.id)) {
        this.destsById[d.id] = undefined;
        freed = true;
      }
    }
    for (const s of this.servicesById) {
      if (!s || this.ordered.includes(s)) continue;
      if (s.dests.every((d) => this.destsById[d.id] !== d)) {
        this.servicesById[s.id] = undefined;
        freed = true;
      }
    }
    return freed;
  }

  /** The service a connection entry belongs to: its mark's, its port's, or its VIP's port 0. */
  serviceOf(proto: number, vaddr: number, vport: number, fwmark: number): Service | undefined {
    if (fwmark !== 0) return this.byFwmark.get(fwmark);
    return (
      this.byAddr.get(addrKey(proto, vaddr, vport)) ?? this.byAddr.get(addrKey(proto, vaddr, 0))
    );
  }

  /** Marks of the firewall-mark services, for the mark tap. */
  marks(): number[] {
    return [...this.byFwmark.keys()];
  }

  /** Every dest in service, across services (for route/neighbour resolution and the guard). */
  *activeDests(): IterableIterator<Dest> {
    for (const svc of this.ordered) yield* svc.dests;
  }
}

function freeSlot(slots: readonly unknown[], max: number, what: string): number {
  let id = slots.indexOf(undefined);
  if (id < 0) id = slots.length;
  if (id >= max) throw new ControlError('E_INVALID', `too many ${what} (at most ${max})`);
  return id;
}
