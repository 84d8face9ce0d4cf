// ARP for IPv4 over Ethernet (RFC 826). Offsets are relative to the start of the ARP header.
import { copyMac, ETH_HLEN, EtherType, writeEthHeader } from './ethernet.js';
import { readIpv4, writeIpv4 } from './addr.js';

export const ARP_LEN = 28;
/** Ethernet frame length of an ARP packet before padding. */
export const ARP_FRAME_LEN = ETH_HLEN + ARP_LEN;
/** Minimum Ethernet payload: frames are padded to 60 bytes without FCS. */
export const ETH_MIN_FRAME = 60;

export const enum Arp {
  HType = 0,
  PType = 2,
  HLen = 4,
  PLen = 5,
  Op = 6,
  Sha = 8,
  Spa = 14,
  Tha = 18,
  Tpa = 24,
}

export const enum ArpOp {
  Request = 1,
  Reply = 2,
}

const BROADCAST = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
const ZERO_MAC = Buffer.alloc(6);
/** Scratch for the asker's MAC while a request is rewritten into its reply. */
const askerMac = Buffer.alloc(6);

/** True when the ARP header at `off` is Ethernet/IPv4 and fits in `end`. */
export function arpIsEthIpv4(buf: Buffer, off: number, end: number): boolean {
  return (
    end >= off + ARP_LEN &&
    buf.readUInt16BE(off + Arp.HType) === 1 &&
    buf.readUInt16BE(off + Arp.PType) === EtherType.IPv4 &&
    buf[off + Arp.HLen] === 6 &&
    buf[off + Arp.PLen] === 4
  );
}

export function arpOp(buf: Buffer, off: number): number {
  return buf.readUInt16BE(off + Arp.Op);
}

export function arpTargetIp(buf: Buffer, off: number): number {
  return readIpv4(buf, off + Arp.Tpa);
}

function writeArp(
  buf: Buffer,
  at: number,
  op: ArpOp,
  ethDst: Buffer,
  sha: Buffer,
  spa: number,
  tha: Buffer,
  tpa: number,
): number {
  writeEthHeader(buf, ethDst, sha, EtherType.ARP, at);
  const o = at + ETH_HLEN;
  buf.writeUInt16BE(1, o + Arp.HType);
  buf.writeUInt16BE(EtherType.IPv4, o + Arp.PType);
  buf[o + Arp.HLen] = 6;
  buf[o + Arp.PLen] = 4;
  buf.writeUInt16BE(op, o + Arp.Op);
  copyMac(buf, o + Arp.Sha, sha, 0);
  writeIpv4(buf, o + Arp.Spa, spa);
  copyMac(buf, o + Arp.Tha, tha, 0);
  writeIpv4(buf, o + Arp.Tpa, tpa);
  buf.fill(0, at + ARP_FRAME_LEN, at + ETH_MIN_FRAME);
  return ETH_MIN_FRAME;
}

/**
 * Turns the ARP request in the frame at `at` of `buf` into the reply saying `ip` is at `mac`,
 * in place. Returns the frame length to send.
 */
export function arpReplyInPlace(buf: Buffer, ip: number, mac: Buffer, at = 0): number {
  const o = at + ETH_HLEN;
  copyMac(askerMac, 0, buf, o + Arp.Sha);
  const askerIp = readIpv4(buf, o + Arp.Spa);
  return writeArp(buf, at, ArpOp.Reply, askerMac, mac, ip, askerMac, askerIp);
}

/** Writes a broadcast "who has `target`? tell `srcIp`" frame; returns its length. */
export function buildArpRequest(
  buf: Buffer,
  srcMac: Buffer,
  srcIp: number,
  target: number,
  at = 0,
): number {
  return writeArp(buf, at, ArpOp.Request, BROADCAST, srcMac, srcIp, ZERO_MAC, target);
}

/** Writes a gratuitous ARP (a broadcast request for our own address, RFC 5227 announce). */
export function buildGratuitousArp(buf: Buffer, mac: Buffer, ip: number, at = 0): number {
  return writeArp(buf, at, ArpOp.Request, BROADCAST, mac, ip, ZERO_MAC, ip);
}
