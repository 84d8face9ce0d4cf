// One connection as the IPVS sync protocol carries it between directors: the plain record
// the master's connection table hands to the sync daemon and the backup's table takes from
// it. Flags and states are IPVS's own numbers (include/uapi/linux/ip_vs.h), as on the wire.
import { TCP_STATE_NAMES } from '../engine/tcp-state.js';

/** IP_VS_CONN_F_* (the low 16 bits travel; the receiver keeps IPVS_BACKUP_MASK of them). */
export const enum IpvsConnFlag {
  FwdMask = 0x0007,
  Masq = 0x0000,
  LocalNode = 0x0001,
  Tunnel = 0x0002,
  DRoute = 0x0003,
  Bypass = 0x0004,
  /** Set by the receiver on what it learnt by sync. */
  Sync = 0x0020,
  Hashed = 0x0040,
  NoOutput = 0x0080,
  /** Not established (counted in the dest's inactive connections). */
  Inactive = 0x0100,
  OutSeq = 0x0200,
  InSeq = 0x0400,
  SeqMask = 0x0600,
  NoCport = 0x0800,
  /** A persistence template, not a connection. */
  Template = 0x1000,
  OnePacket = 0x2000,
}

/** IP_VS_CONN_F_BACKUP_MASK: the flags a backup takes from a sync message. */
export const IPVS_BACKUP_MASK =
  IpvsConnFlag.FwdMask |
  IpvsConnFlag.NoOutput |
  IpvsConnFlag.Inactive |
  IpvsConnFlag.SeqMask |
  IpvsConnFlag.NoCport |
  IpvsConnFlag.Template;

/** IPVS's TCP states by number (ip_vs.h IP_VS_TCP_S_*), as they travel: the engine's own. */
export const IPVS_TCP_STATES = TCP_STATE_NAMES;

/** UDP has one state, IP_VS_UDP_S_NORMAL = 0. */
export const IPVS_UDP_STATES = ['NORMAL'] as const;

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** struct ip_vs_seq: TCP sequence adjustment (IPVS application helpers such as FTP). */
export interface SeqAdjust {
  readonly initSeq: number;
  readonly delta: number;
  readonly previousDelta: number;
}

/** What an entry says whatever its family. */
interface SyncConnFields {
  /** IP protocol (6 TCP, 17 UDP; templates of fwmark services: 0). */
  readonly protocol: number;
  /** IP_VS_CONN_F_* flags. */
  readonly flags: number;
  /** IPVS state number (IPVS_TCP_STATES for TCP, 0 for UDP and templates). */
  readonly state: number;
  readonly cport: number;
  readonly vport: number;
  readonly dport: number;
  readonly fwmark: number;
  /** The connection's timeout in its state, in seconds (cp->timeout / HZ). */
  readonly timeout: number;
  /** Sent when flags has IN_SEQ/OUT_SEQ (IPVS_OPT_SEQ_DATA). */
  readonly seq?: { readonly in: SeqAdjust; readonly out: SeqAdjust };
  /** Persistence engine data and its engine's name (IPVS_OPT_PE_DATA, IPVS_OPT_PE_NAME). */
  readonly peData?: Buffer;
  readonly peName?: string;
}

/** An IPv4 connection (struct ip_vs_sync_v4); `family` is left out by its older users. */
export interface SyncConn4 extends SyncConnFields {
  readonly family?: 4;
  /** Client, virtual and real server IPv4 addresses (uint32). */
  readonly caddr: number;
  readonly vaddr: number;
  readonly daddr: number;
}

/**
 * An IPv6 connection (struct ip_vs_sync_v6, type STYPE_F_INET6). The addresses are 16 bytes in
 * network order; a persistence template of a firewall-mark service has the mark in the first
 * four bytes of vaddr, where IPVS puts it.
 */
export interface SyncConn6 extends SyncConnFields {
  readonly family: 6;
  readonly caddr: Buffer;
  readonly vaddr: Buffer;
  readonly daddr: Buffer;
}

export type SyncConn = SyncConn4 | SyncConn6;
