// The IPv6 section of a uvs packet socket's filter (bpf-program.ts's FilterSpec.sections):
//   IPv6 TCP/UDP to (VIP, port)                accept (port 0: any)
//   IPv6 TCP/UDP from (RIP, port)              accept (NAT replies; port 0: any)
//   IPv6 with extension headers (hop-by-hop, routing, fragment, destination options, AH)
//                                              accept when to a VIP or from a real server:
//                                              the engine walks the chain
//   ICMPv6 neighbour solicitation/advertisement accept (neighbour discovery, if asked)
//   ICMPv6 errors (types 1-4) quoting a packet from or to a known address (right after the
//                                              quoted fixed header): accept (if asked)
//   anything else                              drop
// Addresses are compared word by word (four 32-bit loads each); ports are at fixed offsets
// when no extension header precedes TCP/UDP. The coarse program accepts by next header.
import type { BpfAssembler, Label } from './bpf-assembler.js';
import { BpfJmp, BpfSize } from './bpf-insn.js';
import {
  BPF_ACCEPT,
  BPF_DROP,
  IPPROTO,
  type EtherTypeSection,
  type L4Proto,
} from './bpf-program.js';

export const ETHERTYPE_IPV6 = 0x86dd;

export interface L4Endpoint6 {
  /** Four words, the most significant first. */
  readonly addr: readonly number[];
  readonly proto: L4Proto;
  /** 0: every port. */
  readonly port: number;
}

export interface Ipv6FilterSpec {
  /** TCP/UDP to (VIP, port). */
  readonly vips?: readonly L4Endpoint6[];
  /** TCP/UDP from a NAT real server (RIP, port). */
  readonly realServers?: readonly L4Endpoint6[];
  /** Neighbour solicitations and advertisements. */
  readonly ndp?: boolean;
  /** ICMPv6 errors quoting a VIP or real-server address, and these addresses too (DR/TUN servers). */
  readonly icmpErrors?: boolean;
  readonly icmpAddresses?: readonly (readonly number[])[];
}

/** Frame offsets (Ethernet header first, no VLAN tag). */
const enum Off6 {
  NextHeader = 20,
  Src = 22,
  Dst = 38,
  L4SrcPort = 54,
  L4DstPort = 56,
  /** The IPv6 header quoted by an ICMPv6 error: 8 bytes into the ICMPv6 message. */
  QuotedSrc = 54 + 8 + 8,
  QuotedDst = 54 + 8 + 24,
}

/** The ICMPv6 type, where the L4 header starts. */
const ICMPV6_TYPE_OFF = 54;
const NEXT_ICMPV6 = 58;
/** Extension headers that may precede the upper layer (RFC 8200 4, and AH). */
const EXTENSION_HEADERS = [0, 43, 44, 51, 60];
const ICMPV6_ERROR_TYPES = [1, 2, 3, 4];
const ICMPV6_NDP_TYPES = [135, 136];

interface PortRules6 {
  readonly addr: readonly number[];
  readonly tcp: Set<number>;
  readonly udp: Set<number>;
}

function byAddress(endpoints: readonly L4Endpoint6[]): PortRules6[] {
  const m = new Map<string, PortRules6>();
  for (const e of endpoints) {
    const k = e.addr.join(',');
    let r = m.get(k);
    if (!r) m.set(k, (r = { addr: e.addr, tcp: new Set(), udp: new Set() }));
    r[e.proto].add(e.port);
  }
  return [...m.values()];
}

const addrs = (rules: readonly PortRules6[]): (readonly number[])[] => rules.map((r) => r.addr);

function uniqueAddrs(lists: readonly (readonly number[])[]): (readonly number[])[] {
  const m = new Map<string, readonly number[]>();
  for (const a of lists) m.set(a.join(','), a);
  return [...m.values()];
}

/** Goes to `match` when the 16 bytes at `off` are `addr`; falls through otherwise. */
function branchAddress(
  asm: BpfAssembler,
  off: number,
  addr: readonly number[],
  match: Label,
): void {
  const miss = asm.newLabel();
  for (let i = 0; i < 4; i++) {
    asm.load(BpfSize.W, off + 4 * i);
    if (i < 3) asm.branch(BpfJmp.JEQ, addr[i]! >>> 0, undefined, miss);
    else asm.branch(BpfJmp.JEQ, addr[i]! >>> 0, match, miss);
  }
  asm.place(miss);
}

/** Accepts when the 16 bytes at `off` are one of `addrs`; falls through otherwise. */
function acceptAddressIn(
  asm: BpfAssembler,
  off: number,
  addrs: readonly (readonly number[])[],
): void {
  if (addrs.length === 0) return;
  const accept = asm.newLabel();
  const next = asm.newLabel();
  for (const a of addrs) branchAddress(asm, off, a, accept);
  asm.jump(next);
  asm.place(accept);
  asm.ret(BPF_ACCEPT);
  asm.place(next);
}

/** Accepts when the port at `portOff` is in `ports` (0: any); else goes to `miss`. */
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
  asm.load(BpfSize.H, portOff);
  for (const p of [...ports].sort((a, b) => a - b)) asm.branch(BpfJmp.JEQ, p, accept);
  asm.jump(miss);
  asm.place(accept);
  asm.ret(BPF_ACCEPT);
}

/** For each address at `addrOff` with its ports at `portOff`: accept a match, else go to `miss`. */
function emitEndpoints(
  asm: BpfAssembler,
  rules: readonly PortRules6[],
  addrOff: number,
  portOff: number,
  miss: Label,
): void {
  const bodies = rules.map((r) => ({ r, label: asm.newLabel() }));
  for (const b of bodies) branchAddress(asm, addrOff, b.r.addr, b.label);
  asm.jump(miss);
  for (const b of bodies) {
    asm.place(b.label);
    const udp = asm.newLabel();
    asm.load(BpfSize.B, Off6.NextHeader);
    asm.branch(BpfJmp.JEQ, IPPROTO.tcp, undefined, udp);
    emitPorts(asm, b.r.tcp, portOff, miss);
    asm.place(udp);
    emitPorts(asm, b.r.udp, portOff, miss);
  }
}

export function ipv6Section(spec: Ipv6FilterSpec): EtherTypeSection {
  const vips = byAddress(spec.vips ?? []);
  const rips = byAddress(spec.realServers ?? []);
  const known = uniqueAddrs([...addrs(vips), ...addrs(rips), ...(spec.icmpAddresses ?? [])]);
  const icmp = spec.ndp === true || (spec.icmpErrors === true && known.length > 0);
  const l4 = vips.length + rips.length > 0;
  return {
    etherType: ETHERTYPE_IPV6,
    emitExact(asm) {
      const toL4 = asm.newLabel();
      const toIcmp = asm.newLabel();
      const toExt = asm.newLabel();
      const drop = asm.newLabel();
      asm.load(BpfSize.B, Off6.NextHeader);
      if (icmp) asm.branch(BpfJmp.JEQ, NEXT_ICMPV6, toIcmp);
      if (l4) {
        asm.branch(BpfJmp.JEQ, IPPROTO.tcp, toL4);
        asm.branch(BpfJmp.JEQ, IPPROTO.udp, toL4);
        for (const x of EXTENSION_HEADERS) asm.branch(BpfJmp.JEQ, x, toExt);
      }
      asm.jump(drop);
      asm.place(toL4);
      if (l4) {
        const fromRip = asm.newLabel();
        emitEndpoints(asm, vips, Off6.Dst, Off6.L4DstPort, fromRip);
        asm.place(fromRip);
        emitEndpoints(asm, rips, Off6.Src, Off6.L4SrcPort, drop);
      } else asm.jump(drop);
      asm.place(toExt);
      // Extension headers first: accepted by address alone (the ports are past them).
      acceptAddressIn(asm, Off6.Dst, addrs(vips));
      acceptAddressIn(asm, Off6.Src, addrs(rips));
      asm.jump(drop);
      asm.place(toIcmp);
      if (icmp) emitIcmp(asm, spec, known, drop);
      else asm.jump(drop);
      asm.place(drop);
      asm.ret(BPF_DROP);
    },
    emitCoarse(asm) {
      const accept = asm.newLabel();
      asm.load(BpfSize.B, Off6.NextHeader);
      if (icmp) asm.branch(BpfJmp.JEQ, NEXT_ICMPV6, accept);
      if (l4)
        for (const x of [IPPROTO.tcp, IPPROTO.udp, ...EXTENSION_HEADERS])
          asm.branch(BpfJmp.JEQ, x, accept);
      asm.ret(BPF_DROP);
      asm.place(accept);
      asm.ret(BPF_ACCEPT);
    },
  };
}

/** Neighbour discovery, and errors quoting a known address (no extension header before ICMPv6). */
function emitIcmp(
  asm: BpfAssembler,
  spec: Ipv6FilterSpec,
  known: readonly (readonly number[])[],
  drop: Label,
): void {
  const accept = asm.newLabel();
  const isError = asm.newLabel();
  asm.load(BpfSize.B, ICMPV6_TYPE_OFF);
  if (spec.ndp) for (const t of ICMPV6_NDP_TYPES) asm.branch(BpfJmp.JEQ, t, accept);
  if (spec.icmpErrors && known.length > 0)
    for (const t of ICMPV6_ERROR_TYPES) asm.branch(BpfJmp.JEQ, t, isError);
  asm.jump(drop);
  asm.place(isError);
  acceptAddressIn(asm, Off6.QuotedSrc, known);
  acceptAddressIn(asm, Off6.QuotedDst, known);
  asm.jump(drop);
  asm.place(accept);
  asm.ret(BPF_ACCEPT);
}
