// What a VRRP master puts on the wire, for either family: its adverts (IPv4 from the virtual
// router MAC 00:00:5e:00:01:VRID to 224.0.0.18; IPv6 from 00:00:5e:00:02:VRID and the
// interface's link-local address to ff02::12; or to each unicast peer) and its announcements of
// the VIPs (gratuitous ARPs; unsolicited neighbour advertisements with the override flag for
// IPv6, RFC 5798 §6.4.1), garp_master_repeat of each. One transmit buffer, reused.
import { buildGratuitousArp } from '../packet/arp.js';
import { buildUnsolicitedNeighborAdvert } from '../packet/ndp.js';
import { writeIpv6Big, type VrrpAddr } from './vrrp-addr.js';
import { buildAdvertFrame, multicastMac, virtualRouterMac } from './vrrp-frame.js';
import { buildAdvertFrame6, multicastMac6, virtualRouterMac6, VRRP_GROUP6 } from './vrrp-frame6.js';
import type { VrrpMachine } from './vrrp-machine.js';
import {
  passwordBytes,
  VRRP_GROUP,
  VrrpAuthType,
  type VrrpAdvert,
  type VrrpFamily,
} from './vrrp-packet.js';
import type { VrrpHost, VrrpInterface, VrrpLink } from './vrrp-ports.js';
import type { VrrpInstanceSpec } from './vrrp-spec.js';

/** The largest frame: 255 IPv6 addresses (or IPv4 ones with authentication data). */
const TX_BYTES = 14 + 40 + 8 + 16 * 255;

/** The family of an instance's adverts and VIPs. */
export function familyOf(spec: VrrpInstanceSpec): VrrpFamily {
  return spec.family ?? 4;
}

/** The multicast group an instance advertises to. */
export function groupOf(spec: VrrpInstanceSpec): VrrpAddr {
  return spec.mcastGroup ?? (familyOf(spec) === 6 ? VRRP_GROUP6 : VRRP_GROUP);
}

export class VrrpSender {
  private readonly tx = Buffer.alloc(TX_BYTES);
  private readonly addr6 = Buffer.alloc(16);
  private ipId = 0;
  /** Adverts not sent because a unicast peer's MAC is not known yet. */
  unresolvedPeers = 0;

  constructor(
    private readonly link: VrrpLink,
    private readonly host: VrrpHost,
  ) {}

  /** `m`'s advert with `priority`, to its group or each of its unicast peers. */
  advert(m: VrrpMachine, priority: number): void {
    const spec = m.spec;
    const iface = this.host.interfaceNamed(spec.interface);
    if (!iface || m.localIp === 0 || m.localIp === 0n) return;
    const advert: VrrpAdvert = {
      version: spec.version,
      vrid: spec.vrid,
      priority,
      intervalCs: Math.round(spec.advertIntMs / 10),
      addrs: spec.vips.map((v) => v.addr),
      authType: spec.authPass !== undefined ? VrrpAuthType.Pass : VrrpAuthType.None,
      ...(spec.authPass !== undefined ? { authData: passwordBytes(spec.authPass) } : {}),
    };
    const unicast = spec.unicastPeers.length > 0;
    for (const dst of unicast ? spec.unicastPeers : [groupOf(spec)]) {
      const dstMac = unicast ? this.host.peerMac(dst, iface.ifIndex) : this.groupMac(dst);
      if (!dstMac) {
        this.unresolvedPeers++;
        continue;
      }
      const len = this.frame(spec, advert, dstMac, m.localIp, dst);
      this.link.send(iface.ifIndex, this.tx, len);
    }
  }

  private groupMac(group: VrrpAddr): Buffer {
    return typeof group === 'bigint' ? multicastMac6(group) : multicastMac(group);
  }

  private frame(
    spec: VrrpInstanceSpec,
    a: VrrpAdvert,
    dstMac: Buffer,
    src: VrrpAddr,
    dst: VrrpAddr,
  ): number {
    if (typeof src === 'bigint' && typeof dst === 'bigint')
      return buildAdvertFrame6(
        this.tx,
        { srcMac: virtualRouterMac6(spec.vrid), dstMac, src, dst },
        a,
      );
    this.ipId = (this.ipId + 1) & 0xffff;
    const spec4 = {
      srcMac: virtualRouterMac(spec.vrid),
      dstMac,
      srcIp: Number(src),
      dstIp: Number(dst),
      ipId: this.ipId,
    };
    return buildAdvertFrame(this.tx, spec4, a);
  }

  /**
   * garp_master_repeat announcements of each VIP from the interface that holds it: gratuitous
   * ARPs for IPv4, unsolicited neighbour advertisements (override flag) for IPv6.
   */
  announce(spec: VrrpInstanceSpec): void {
    for (const v of spec.vips) {
      const iface = this.host.interfaceNamed(v.dev ?? spec.interface);
      if (!iface) continue;
      const len = this.announcement(iface, v.addr);
      for (let k = 0; k < spec.garpMasterRepeat; k++) this.link.send(iface.ifIndex, this.tx, len);
    }
  }

  private announcement(iface: VrrpInterface, addr: VrrpAddr): number {
    if (typeof addr === 'number') return buildGratuitousArp(this.tx, iface.mac, addr);
    writeIpv6Big(this.addr6, 0, addr);
    // The router flag as keepalived sets it: when the interface forwards IPv6.
    return buildUnsolicitedNeighborAdvert(
      this.tx,
      iface.mac,
      this.addr6,
      0,
      iface.router6 === true,
    );
  }
}
