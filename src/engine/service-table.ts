// The virtual services and their real servers, as the control plane edits them (uvsadm,
// keepalived.conf). Every edit validates first and changes nothing when it throws. Services and
// real servers get slots (ids) in the fast path's shared state; the slot of one that was removed
// is given out again only once no connection refers to it any more.
import { formatIpv4 } from '../packet/addr.js';
import { Dest } from './dest.js';
import { HostAddress, type Family } from './host-address.js';
import {
  ControlError,
  FwdMethod,
  type DestSpec,
  type ServiceKey,
  type ServiceSpec,
} from './model.js';
import { keyFamily, protoNumber, Service } from './service.js';
import { MAX_DESTS, MAX_SERVICES } from './shared/limits.js';

/** A service's key in the maps: protocol, canonical VIP text, port; or family and mark. */
function keyText(key: ServiceKey): string {
  if (key.kind === 'fwmark') return `fwm/${keyFamily(key)}/${key.fwmark}`;
  return `${protoNumber(key.proto)}/${HostAddress.parse(key.vip).text}/${key.port}`;
}

/** ipvsadm's (and the kernel's) rule: a real server of the other family only through a tunnel. */
const MIXED_FAMILIES = 'Different address family is allowed only for tunneling servers';

export class ServiceTable {
  private readonly byKey = new Map<string, Service>();
  /** Services in creation order, as ipvsadm lists them. */
  readonly ordered: Service[] = [];
  /** Slot → dest, in service or removed but still referred to by connections. */
  readonly destsById: (Dest | undefined)[] = [];
  /** Slot → service, in the table or deleted but with real servers not yet released. */
  readonly servicesById: (Service | undefined)[] = [];

  find(key: ServiceKey): Service | undefined {
    return this.byKey.get(keyText(key));
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
    this.byKey.set(keyText(spec.key), svc);
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
    this.byKey.delete(keyText(key));
    this.ordered.splice(this.ordered.indexOf(svc), 1);
    for (const d of svc.dests) d.inService = false;
    return svc;
  }

  clear(): void {
    for (const svc of [...this.ordered]) this.deleteService(svc.key);
  }

  private checkDest(svc: Service, family: Family, spec: DestSpec): void {
    if (family !== svc.family && spec.method !== FwdMethod.Tunnel) {
      throw new ControlError('E_INVALID', MIXED_FAMILIES);
    }
    if (spec.method === FwdMethod.Local) {
      throw new ControlError(
        'E_INVALID',
        'forwarding method local is not supported by this uvs version',
      );
    }
  }

  addDest(key: ServiceKey, spec: DestSpec): Dest {
    const svc = this.get(key);
    const addr = HostAddress.parse(spec.addr);
    if (svc.findDest(addr.text, spec.port))
      throw new ControlError('E_DEST_EXISTS', 'Destination already exists');
    this.checkDest(svc, addr.family, spec);
    const id = freeSlot(this.destsById, MAX_DESTS, 'real servers');
    const dest = new Dest(id, addr, spec);
    this.destsById[id] = dest;
    svc.dests.push(dest);
    return dest;
  }

  editDest(key: ServiceKey, spec: DestSpec): Dest {
    const svc = this.get(key);
    const dest = svc.findDest(HostAddress.parse(spec.addr).text, spec.port);
    if (!dest) throw new ControlError('E_NO_DEST', 'No such destination');
    this.checkDest(svc, dest.family, spec);
    dest.method = spec.method;
    dest.weight = spec.weight;
    dest.upperThreshold = spec.upperThreshold;
    dest.lowerThreshold = spec.lowerThreshold;
    return dest;
  }

  deleteDest(key: ServiceKey, addr: string, port: number): Dest {
    const svc = this.get(key);
    const dest = svc.findDest(HostAddress.parse(addr).text, port);
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

  /**
   * The IPv4 service a connection entry belongs to: its mark's, its port's, or its VIP's port 0
   * (`vaddr` a uint32).
   */
  serviceOf(proto: number, vaddr: number, vport: number, fwmark: number): Service | undefined {
    if (fwmark !== 0) return this.byKey.get(`fwm/4/${fwmark}`);
    const vip = formatIpv4(vaddr);
    return this.byKey.get(`${proto}/${vip}/${vport}`) ?? this.byKey.get(`${proto}/${vip}/0`);
  }

  /** Marks of the firewall-mark services of `family` (the mark tap carries IPv4 only). */
  marks(family: Family = 4): number[] {
    return [
      ...new Set(
        this.ordered.filter((s) => s.fwmark !== 0 && s.family === family).map((s) => s.fwmark),
      ),
    ];
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
