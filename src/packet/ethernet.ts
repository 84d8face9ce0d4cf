// Ethernet II header view: fields at named offsets of the frame's own Buffer.

export const ETH_HLEN = 14;
export const ETH_ALEN = 6;

export const enum Eth {
  Dst = 0,
  Src = 6,
  Type = 12,
}

export const enum EtherType {
  IPv4 = 0x0800,
  ARP = 0x0806,
  VLAN = 0x8100,
  IPv6 = 0x86dd,
}

/** The EtherType of the frame at `at`. */
export function ethType(buf: Buffer, at: number): number {
  return (buf[at + Eth.Type]! << 8) | buf[at + Eth.Type + 1]!;
}

/** Copies a 6-byte MAC from `src` at `srcOff` into `dst` at `dstOff`. */
export function copyMac(dst: Buffer, dstOff: number, src: Buffer, srcOff: number): void {
  for (let i = 0; i < ETH_ALEN; i++) dst[dstOff + i] = src[srcOff + i]!;
}

export function macEquals(a: Buffer, aOff: number, b: Buffer, bOff: number): boolean {
  for (let i = 0; i < ETH_ALEN; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

/** Writes the Ethernet header of the frame at `at`: destination, source, EtherType. */
export function writeEthHeader(buf: Buffer, dst: Buffer, src: Buffer, type: number, at = 0): void {
  copyMac(buf, at + Eth.Dst, dst, 0);
  copyMac(buf, at + Eth.Src, src, 0);
  buf.writeUInt16BE(type, at + Eth.Type);
}
