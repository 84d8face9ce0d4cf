// The classic BPF program a uvs packet socket runs: from what uvs may handle on an interface,
// accept exactly those frames so that the host's other traffic never reaches userspace.
// Exact program (per EtherType section; IPv4 below, IPv6 to be added as another section):
//   a VLAN tag taken out by the kernel     drop (the frame is for a VLAN interface)
//   ARP                                    accept (if asked)
//   IPv4 non-first fragment                accept when to a VIP or from a real server (no ports)
//   IPv4 protocol 112                      accept (VRRP, if asked)
//   IPv4 ICMP dest-unreach/quench/time-exceeded/param-problem quoting a packet from or to a
//                                          VIP or real-server address: accept (if asked)
//   IPv4 TCP/UDP to (VIP, port)            accept (port 0: any)
//   IPv4 TCP/UDP from (RIP, port)          accept (NAT replies; port 0: any)
//   anything else                          drop
// Ports are found through the IHL (options allowed). When the exact program would pass
// BPF_MAXINSNS, a coarse one accepts by EtherType and IPv4 protocol instead: more frames
// reach the engine (which says NotOurs), none that it needs is lost.
import { BpfAssembler, type Label } from './bpf-assembler.js';
import {
  BpfClass,
  BpfJmp,
  BpfMode,
  BpfSize,
  BpfSrc,
  BPF_MAXINSNS,
  encodeProgram,
  insn,
  SKF_AD_VLAN_TAG_PRESENT,
  type BpfInsn,
} from './bpf-insn.js';

/** What the program returns to keep a frame: all of it. */
export const BPF_ACCEPT = 0xffffffff;
export const BPF_DROP = 0;

export type L4Proto = 'tcp' | 'udp';
export const IPPROTO: Readonly<Record<L4Proto | 'icmp' | 'vrrp', number>> = {
  icmp: 1,
  tcp: 6,
  udp: 17,
  vrrp: 112,
};

export interface L4Endpoint {
  /** IPv4 address as a uint32. */
  readonly addr: number;
  readonly proto: L4Proto;
  /** 0: every port. */
  readonly port: number;
}

/** A section for one EtherType: entered with the EtherType matched; every path ends in ret. */
export interface EtherTypeSection {
  readonly etherType: number;
  emitExact(asm: BpfAssembler): void;
  /** A superset in few instructions; absent: accept the whole EtherType. */
  emitCoarse?(asm: BpfAssembler): void;
}

export interface FilterSpec {
  /** Every frame (the firewall-mark tap): the rest is ignored. */
  readonly acceptAll?: boolean;
  readonly arp?: boolean;
  /** IPv4 TCP/UDP to (VIP, port). */
  readonly vips?: readonly L4Endpoint[];
  /** IPv4 TCP/UDP from a NAT real server (RIP, port). */
  readonly realServers?: readonly L4Endpoint[];
  /** ICMP errors about connections (quoting a VIP or real-server address). */
  readonly icmpErrors?: boolean;
  /**
   * More addresses whose quoted packets make an ICMP error ours: real servers of DR and TUN,
   * whose own traffic uvs does not take in, but whose path MTU a router may report.
   */
  readonly icmpAddresses?: readonly number[];
  /** IP protocol 112. */
  readonly vrrp?: boolean;
  /** Further EtherTypes (IPv6…), in the order given. */
  readonly sections?: readonly EtherTypeSection[];
}

export interface FilterProgram {
  readonly insns: readonly BpfInsn[];
  /** false: the exact program was too long and this is the coarse one. */
  readonly exact: boolean;
  /** sock_filter entries, for PacketSocket.setFilter(). */
  readonly bytes: Buffer;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;

/** Frame offsets (Ethernet header first). */
const enum Off {
  EtherType = 12,
  IpVerIhl = 14,
  IpFrag = 20,
  IpProto = 23,
  IpSrc = 26,
  IpDst = 30,
}

/** Offsets from X = the IPv4 header length (loadIpHeaderLen): the L4 header is at 14 + X. */
const enum XOff {
  L4SrcPort = 14,
  L4DstPort = 16,
  /** The IPv4 header quoted by an ICMP error, 8 bytes into the ICMP message. */
  QuotedSrc = 14 + 8 + 12,
  QuotedDst = 14 + 8 + 16,
}

/** X + this: an ICMP message's type, its first byte. */
const ICMP_TYPE_XOFF = 14;
const IP_FRAG_OFFSET_MASK = 0x1fff;
/** The ICMP errors IPVS looks into (ip_vs_in_icmp): unreachable, source quench, time exceeded. */
const ICMP_ERROR_TYPES = [3, 4, 11, 12];

/** Instructions filterBySize() puts before a program. */
const SIZE_TEST_INSNS = 3;

export function filterProgram(spec: FilterSpec): FilterProgram {
  let exact = true;
  let insns = build(spec, true);
  // Room is left for filterBySize().
  if (insns.length > BPF_MAXINSNS - SIZE_TEST_INSNS) {
    exact = false;
    insns = build(spec, false);
  }
  return { insns, exact, bytes: encodeProgram(insns) };
}

/**
 * `program` (sock_filter entries) for one of an interface's two V2 rings (ring-config.ts): only
 * frames of at most `max` bytes ('small'), or only larger ones ('large'), reach the rest of it.
 */
export function filterBySize(program: Uint8Array, part: 'small' | 'large', max: number): Buffer {
  const small = part === 'small';
  const test = encodeProgram([
    insn(BpfClass.LD | BpfSize.W | BpfMode.LEN),
    // Greater than max: a large frame. jt/jf skip the drop to reach the program.
    insn(BpfClass.JMP | BpfJmp.JGT | BpfSrc.K, max, small ? 0 : 1, small ? 1 : 0),
    insn(BpfClass.RET | BpfSrc.K, BPF_DROP),
  ]);
  return Buffer.concat([test, program]);
}

function build(spec: FilterSpec, exact: boolean): BpfInsn[] {
  const asm = new BpfAssembler();
  if (spec.acceptAll) {
    asm.ret(BPF_ACCEPT);
    return asm.assemble();
  }
  const sections: EtherTypeSection[] = [];
  if (spec.arp) sections.push({ etherType: ETHERTYPE_ARP, emitExact: (a) => a.ret(BPF_ACCEPT) });
  sections.push(ipv4Section(spec));
  sections.push(...(spec.sections ?? []));
  const entries = sections.map(() => asm.newLabel());
  const drop = asm.newLabel();
  // A tag the kernel took out of the frame (VLAN offload) would hide it from the rest: such a
  // frame belongs to a VLAN interface, which uvs serves as an interface of its own.
  asm.loadAncillary(SKF_AD_VLAN_TAG_PRESENT);
  asm.branch(BpfJmp.JEQ, 0, undefined, drop);
  asm.load(BpfSize.H, Off.EtherType);
  sections.forEach((s, i) => asm.branch(BpfJmp.JEQ, s.etherType, entries[i]));
  asm.place(drop);
  asm.ret(BPF_DROP);
  sections.forEach((s, i) => {
    asm.place(entries[i]!);
    if (exact) s.emitExact(asm);
    else if (s.emitCoarse) s.emitCoarse(asm);
    else asm.ret(BPF_ACCEPT);
  });
  return asm.assemble();
}

interface PortRules {
  tcp: Set<number>;
  udp: Set<number>;
}

/** Rules grouped by address: one address test, then its ports. */
function byAddress(endpoints: readonly L4Endpoint[]): Map<number, PortRules> {
  const m = new Map<number, PortRules>();
  for (const e of endpoints) {
    const addr = e.addr >>> 0;
    let r = m.get(addr);
    if (!r) m.set(addr, (r = { tcp: new Set(), udp: new Set() }));
    r[e.proto].add(e.port);
  }
  return m;
}

function ipv4Section(spec: FilterSpec): EtherTypeSection {
  const vips = byAddress(spec.vips ?? []);
  const rips = byAddress(spec.realServers ?? []);
  const known = [
    ...new Set([...vips.keys(), ...rips.keys(), ...(spec.icmpAddresses ?? []).map((a) => a >>> 0)]),
  ];
  const protos = new Set<number>();
  for (const rules of [...vips.values(), ...rips.values()]) {
    if (rules.tcp.size > 0) protos.add(IPPROTO.tcp);
    if (rules.udp.size > 0) protos.add(IPPROTO.udp);
  }
  if (spec.icmpErrors && known.length > 0) protos.add(IPPROTO.icmp);
  if (spec.vrrp) protos.add(IPPROTO.vrrp);
  return {
    etherType: ETHERTYPE_IPV4,
    emitExact(asm) {
      const fragment = asm.newLabel();
      const icmp = asm.newLabel();
      const fromRip = asm.newLabel();
      asm.load(BpfSize.H, Off.IpFrag);
      asm.branch(BpfJmp.JSET, IP_FRAG_OFFSET_MASK, fragment);
      asm.load(BpfSize.B, Off.IpProto);
      if (spec.vrrp) acceptIf(asm, IPPROTO.vrrp);
      if (spec.icmpErrors && known.length > 0) asm.branch(BpfJmp.JEQ, IPPROTO.icmp, icmp);
      asm.loadIpHeaderLen(Off.IpVerIhl);
      emitEndpoints(asm, vips, Off.IpDst, XOff.L4DstPort, fromRip);
      asm.place(fromRip);
      emitEndpoints(asm, rips, Off.IpSrc, XOff.L4SrcPort, undefined);
      asm.place(fragment);
      acceptAddressIn(asm, Off.IpDst, [...vips.keys()], false);
      acceptAddressIn(asm, Off.IpSrc, [...rips.keys()], false);
      asm.ret(BPF_DROP);
      if (spec.icmpErrors && known.length > 0) {
        asm.place(icmp);
        emitIcmpErrors(asm, known);
      }
    },
    emitCoarse(asm) {
      asm.load(BpfSize.B, Off.IpProto);
      for (const p of [...protos].sort((a, b) => a - b)) acceptIf(asm, p);
      asm.ret(BPF_DROP);
    },
  };
}

/** if (A == k) return accept; */
function acceptIf(asm: BpfAssembler, k: number): void {
  const accept = asm.newLabel();
  const next = asm.newLabel();
  asm.branch(BpfJmp.JEQ, k, accept, next);
  asm.place(accept);
  asm.ret(BPF_ACCEPT);
  asm.place(next);
}

/**
 * For each address (at `addrOff`) with its per-protocol ports (at X + `portOff`): accept a
 * match, go to `miss` (or drop when absent) otherwise. Needs X = the IPv4 header length.
 */
function emitEndpoints(
  asm: BpfAssembler,
  rules: Map<number, PortRules>,
  addrOff: number,
  portOff: number,
  miss: Label | undefined,
): void {
  const done = miss ?? asm.newLabel();
  const bodies = [...rules.entries()].map(([addr, r]) => ({ addr, r, label: asm.newLabel() }));
  if (bodies.length > 0) asm.load(BpfSize.W, addrOff);
  for (const b of bodies) asm.branch(BpfJmp.JEQ, b.addr, b.label);
  asm.jump(done);
  for (const b of bodies) {
    asm.place(b.label);
    const udp = asm.newLabel();
    asm.load(BpfSize.B, Off.IpProto);
    asm.branch(BpfJmp.JEQ, IPPROTO.tcp, undefined, udp);
    emitPorts(asm, b.r.tcp, portOff, done);
    asm.place(udp);
    asm.branch(BpfJmp.JEQ, IPPROTO.udp, undefined, done);
    emitPorts(asm, b.r.udp, portOff, done);
  }
  if (miss === undefined) {
    asm.place(done);
    asm.ret(BPF_DROP);
  }
}

/** Accepts when the port at X + `portOff` is in `ports` (0: any); else goes to `miss`. */
function emitPorts(asm: BpfAssembler, ports: Set<number>, portOff: number, miss: Label): void {
  if (ports.has(0)) {
    asm.ret(BPF_ACCEPT);
    return;
  }
  if (ports.size === 0) {
    asm.jump(miss);
    return;
  }
  const accept = asm.newLabel();
  asm.load(BpfSize.H, portOff, true);
  for (const p of [...ports].sort((a, b) => a - b)) asm.branch(BpfJmp.JEQ, p, accept);
  asm.jump(miss);
  asm.place(accept);
  asm.ret(BPF_ACCEPT);
}

/** Accepts when the word at `off` (X-relative if `indexed`) is one of `addrs`; else falls through. */
function acceptAddressIn(
  asm: BpfAssembler,
  off: number,
  addrs: readonly number[],
  indexed: boolean,
): void {
  if (addrs.length === 0) return;
  const accept = asm.newLabel();
  const next = asm.newLabel();
  asm.load(BpfSize.W, off, indexed);
  for (const a of addrs) asm.branch(BpfJmp.JEQ, a >>> 0, accept);
  asm.jump(next);
  asm.place(accept);
  asm.ret(BPF_ACCEPT);
  asm.place(next);
}

/** ICMP errors (first fragment only) that quote a packet from or to a known address. */
function emitIcmpErrors(asm: BpfAssembler, known: readonly number[]): void {
  const isError = asm.newLabel();
  const drop = asm.newLabel();
  asm.loadIpHeaderLen(Off.IpVerIhl);
  asm.load(BpfSize.B, ICMP_TYPE_XOFF, true);
  for (const t of ICMP_ERROR_TYPES) asm.branch(BpfJmp.JEQ, t, isError);
  asm.jump(drop);
  asm.place(isError);
  acceptAddressIn(asm, XOff.QuotedSrc, known, true);
  acceptAddressIn(asm, XOff.QuotedDst, known, true);
  asm.place(drop);
  asm.ret(BPF_DROP);
}
