// A virtual service as the control plane holds it: its key, scheduler name and real servers.
import { IpProto } from '../packet/ipv4.js';
import type { Dest } from './dest.js';
import { HostAddress, type Family } from './host-address.js';
import { ControlError, type ServiceKey, type ServiceSpec } from './model.js';
import { isSchedulerName } from './schedulers/registry.js';
import type { SnapshotService } from './snapshot.js';
import { parseIpv4 } from '../packet/addr.js';

/** IP protocol number of a service protocol name. */
export function protoNumber(proto: 'tcp' | 'udp'): number {
  return proto === 'tcp' ? IpProto.TCP : IpProto.UDP;
}

/** The address family of a service key: its VIP's, or IPv6 for a `-6` firewall-mark service. */
export function keyFamily(key: ServiceKey): Family {
  if (key.kind === 'fwmark') return key.family === 'inet6' ? 6 : 4;
  return HostAddress.parse(key.vip).family;
}

/** -M for IPv6: a prefix length 0-128, given as text. */
function parsePrefixLen(text: string): number {
  const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 128)) {
    throw new ControlError('E_INVALID', `invalid IPv6 persistence prefix length "${text}"`);
  }
  return n;
}

export class Service {
  /** Slot in the shared scheduler state and counters. */
  readonly id: number;
  readonly key: ServiceKey;
  readonly family: Family;
  /** IP protocol number (0 for a fwmark service). */
  readonly proto: number;
  /** The IPv4 VIP (0 for IPv6 and firewall-mark services). */
  readonly vip: number;
  /** The IPv6 VIP as four words (zeros for IPv4 and firewall-mark services). */
  readonly vip6: Uint32Array;
  /** The VIP's canonical text ('' for a firewall-mark service). */
  readonly vipText: string;
  readonly port: number;
  readonly fwmark: number;
  spec: ServiceSpec;
  /** Real servers in the order they were added (as ipvsadm lists them). */
  dests: Dest[] = [];
  /** Persistence granularity (-M), parsed once: a uint32 mask (IPv4), a prefix length (IPv6). */
  private mask: number;

  constructor(id: number, spec: ServiceSpec) {
    Service.checkScheduler(spec);
    this.id = id;
    this.key = spec.key;
    if (spec.key.kind === 'addr') {
      const vip = HostAddress.parse(spec.key.vip);
      this.family = vip.family;
      this.proto = protoNumber(spec.key.proto);
      this.vip = vip.family === 4 ? vip.v4 : 0;
      this.vip6 = vip.v6;
      this.vipText = vip.text;
      this.port = spec.key.port;
      this.fwmark = 0;
    } else {
      this.family = keyFamily(spec.key);
      this.proto = 0;
      this.vip = 0;
      this.vip6 = new Uint32Array(4);
      this.vipText = '';
      this.port = 0;
      this.fwmark = spec.key.fwmark;
    }
    this.spec = spec;
    this.mask = Service.maskOf(spec, this.family);
  }

  static checkScheduler(spec: ServiceSpec): void {
    if (!isSchedulerName(spec.scheduler)) {
      throw new ControlError('E_NO_SCHEDULER', `Scheduler not found: ${spec.scheduler}`);
    }
  }

  private static maskOf(spec: ServiceSpec, family: Family): number {
    const text = spec.persistence?.netmask;
    if (family === 6) return text === undefined ? 128 : parsePrefixLen(text);
    return text === undefined ? 0xffffffff : parseIpv4(text);
  }

  /** Applies an -E edit. */
  edit(spec: ServiceSpec): void {
    Service.checkScheduler(spec);
    const mask = Service.maskOf(spec, this.family);
    this.spec = spec;
    this.mask = mask;
  }

  /** The real server `addrText` (canonical, HostAddress.text) port `port`. */
  findDest(addrText: string, port: number): Dest | undefined {
    return this.dests.find((d) => d.addrText === addrText && d.port === port);
  }

  snapshot(): SnapshotService {
    return {
      id: this.id,
      fwmark: this.fwmark,
      family: this.family,
      proto: this.proto,
      vip: this.vip,
      vip6: this.family === 6 && this.fwmark === 0 ? [...this.vip6] : [],
      port: this.port,
      scheduler: this.spec.scheduler,
      schedFlags: this.spec.schedFlags ?? [],
      persistenceMs: (this.spec.persistence?.timeout ?? 0) * 1000,
      persistenceMask: this.family === 4 ? this.mask : 0,
      persistencePrefix: this.family === 6 ? this.mask : 0,
      destIds: this.dests.map((d) => d.id),
    };
  }
}
