// VRRP advertisements (RFC 3768 version 2, RFC 5798 version 3) as a header view: fields at
// named offsets of the packet's own Buffer, encode and decode, the checksum. Version 2 covers
// the VRRP message alone and carries an authentication type, an interval in seconds and 8
// bytes of authentication data (keepalived's PASS is type 1: the password, zero-padded);
// version 3 has a 12-bit interval in centiseconds and its checksum covers the IPv4
// pseudo-header too (RFC 5798 §5.2.8). The addresses are 4 bytes each over IPv4, 16 over
// IPv6 (version 3 only; vrrp-packet6.ts puts the IPv6 pseudo-header under the checksum).
import { finish, pseudoHeaderSum, readU16, sum16, writeU16 } from '../packet/checksum.js';
import { readIpv4, writeIpv4 } from '../packet/addr.js';
import { readIpv6Big, writeIpv6Big, type VrrpAddr } from './vrrp-addr.js';

/** IP protocol number of VRRP. */
export const VRRP_PROTO = 112;
/** 224.0.0.18, the VRRP multicast group. */
export const VRRP_GROUP = 0xe0000012;
/** Adverts are sent with TTL 255 and a receiver drops any other TTL (RFC 5798 §5.1.1.3). */
export const VRRP_TTL = 255;
export const VRRP_HEADER_LEN = 8;
/** Version 2's authentication data after the addresses. */
export const VRRP_AUTH_LEN = 8;
export const VRRP_TYPE_ADVERT = 1;
/** The address owner's priority; 0 means "the master stops". */
export const PRIORITY_OWNER = 255;
export const PRIORITY_STOP = 0;

export const enum Vrrp {
  VersionType = 0,
  Vrid = 1,
  Priority = 2,
  CountAddrs = 3,
  /** Version 2: authentication type. */
  AuthType = 4,
  /** Version 2: advertisement interval in seconds. */
  AdverInt = 5,
  Checksum = 6,
  Addrs = 8,
}

/** Version 3's fields where version 2 has others. */
export const enum Vrrp3 {
  /** 4 reserved bits and the 12-bit maximum advertisement interval (centiseconds). */
  MaxAdverInt = 4,
}

export const enum VrrpAuthType {
  None = 0,
  /** Simple text password (RFC 2338; dropped from RFC 3768 but still spoken by keepalived). */
  Pass = 1,
  /** IP Authentication Header (RFC 2338); not supported. */
  Ah = 2,
}

export type VrrpVersion = 2 | 3;
/** The IP version an advert travels over (and the size of its addresses). */
export type VrrpFamily = 4 | 6;

export interface VrrpAdvert {
  readonly version: VrrpVersion;
  readonly vrid: number;
  readonly priority: number;
  /** The advertisement interval in centiseconds (version 2's seconds × 100). */
  readonly intervalCs: number;
  /** The virtual addresses: IPv4 as uint32, IPv6 as bigint (vrrp-addr.ts). */
  readonly addrs: readonly VrrpAddr[];
  /** Version 2 only. */
  readonly authType: VrrpAuthType;
  /** Version 2 with authentication: 8 bytes. */
  readonly authData?: Buffer;
}

/** Why a received VRRP packet did not decode. */
export type VrrpDecodeError = 'truncated' | 'version' | 'type' | 'length' | 'checksum';

/** Bytes of one address of `family`. */
export function addrLength(family: VrrpFamily): number {
  return family === 6 ? 16 : 4;
}

/** Bytes of an advert with `n` addresses. */
export function advertLength(version: VrrpVersion, n: number, family: VrrpFamily = 4): number {
  return VRRP_HEADER_LEN + addrLength(family) * n + (version === 2 ? VRRP_AUTH_LEN : 0);
}

/** The password as keepalived puts it on the wire: 8 bytes, truncated or zero-padded. */
export function passwordBytes(pass: string): Buffer {
  const b = Buffer.alloc(VRRP_AUTH_LEN);
  Buffer.from(pass, 'utf8').copy(b, 0, 0, VRRP_AUTH_LEN);
  return b;
}

/**
 * Writes `a` at `off` with a zero checksum (the caller sums it under its pseudo-header:
 * finishAdvert). Returns its length.
 */
export function writeAdvert(buf: Buffer, off: number, a: VrrpAdvert, family: VrrpFamily): number {
  const alen = addrLength(family);
  const len = advertLength(a.version, a.addrs.length, family);
  buf.fill(0, off, off + len);
  buf[off + Vrrp.VersionType] = (a.version << 4) | VRRP_TYPE_ADVERT;
  buf[off + Vrrp.Vrid] = a.vrid;
  buf[off + Vrrp.Priority] = a.priority;
  buf[off + Vrrp.CountAddrs] = a.addrs.length;
  if (a.version === 2) {
    buf[off + Vrrp.AuthType] = a.authType;
    buf[off + Vrrp.AdverInt] = Math.round(a.intervalCs / 100);
  } else {
    writeU16(buf, off + Vrrp3.MaxAdverInt, a.intervalCs & 0x0fff);
  }
  a.addrs.forEach((addr, k) => {
    const at = off + Vrrp.Addrs + alen * k;
    if (family === 6) writeIpv6Big(buf, at, BigInt(addr));
    else writeIpv4(buf, at, Number(addr));
  });
  if (a.version === 2 && a.authData)
    a.authData.copy(buf, off + Vrrp.Addrs + alen * a.addrs.length, 0, VRRP_AUTH_LEN);
  return len;
}

/** Stores the checksum of the `len`-byte advert at `off`; `pseudo`: its pseudo-header's sum. */
export function finishAdvert(buf: Buffer, off: number, len: number, pseudo: number): void {
  writeU16(buf, off + Vrrp.Checksum, finish(sum16(buf, off, len, pseudo)));
}

/**
 * Writes `a` at `off` (with its checksum; `src`/`dst` are the IPv4 addresses it is sent
 * between, used by version 3's pseudo-header). Returns its length.
 */
export function encodeAdvert(
  buf: Buffer,
  off: number,
  a: VrrpAdvert,
  src: number,
  dst: number,
): number {
  const len = writeAdvert(buf, off, a, 4);
  finishAdvert(buf, off, len, a.version === 3 ? pseudoHeaderSum(src, dst, VRRP_PROTO, len) : 0);
  return len;
}

/**
 * Reads the advert of `len` bytes at `off`, received from `src` to `dst`; an error says why
 * the packet is not a valid advert. Never throws.
 */
export function decodeAdvert(
  buf: Buffer,
  off: number,
  len: number,
  src: number,
  dst: number,
): VrrpAdvert | VrrpDecodeError {
  return readAdvert(buf, off, len, 4, pseudoHeaderSum(src, dst, VRRP_PROTO, len));
}

/**
 * Reads the advert of `len` bytes at `off` whose addresses are of `family`; `pseudo` is the
 * sum of its pseudo-header, which version 3's checksum covers. Never throws.
 */
export function readAdvert(
  buf: Buffer,
  off: number,
  len: number,
  family: VrrpFamily,
  pseudo: number,
): VrrpAdvert | VrrpDecodeError {
  if (len < VRRP_HEADER_LEN || buf.length < off + len) return 'truncated';
  const vt = buf[off + Vrrp.VersionType]!;
  const v = vt >> 4;
  // RFC 5798 §5.2.1: over IPv6, version 3 only.
  if (v !== 3 && (v !== 2 || family === 6)) return 'version';
  const version: VrrpVersion = v;
  if ((vt & 0x0f) !== VRRP_TYPE_ADVERT) return 'type';
  const n = buf[off + Vrrp.CountAddrs]!;
  const need = advertLength(version, n, family);
  // Version 2's authentication data may be absent on the wire when there is none.
  const short = version === 2 && len === need - VRRP_AUTH_LEN;
  if (len < need && !short) return 'length';
  if (finish(sum16(buf, off, len, version === 3 ? pseudo : 0)) !== 0) return 'checksum';
  const alen = addrLength(family);
  const addrs: VrrpAddr[] = [];
  for (let k = 0; k < n; k++) {
    const at = off + Vrrp.Addrs + alen * k;
    addrs.push(family === 6 ? readIpv6Big(buf, at) : readIpv4(buf, at));
  }
  const base = { version, vrid: buf[off + Vrrp.Vrid]!, priority: buf[off + Vrrp.Priority]!, addrs };
  if (version === 3)
    return {
      ...base,
      intervalCs: readU16(buf, off + Vrrp3.MaxAdverInt) & 0x0fff,
      authType: VrrpAuthType.None,
    };
  const authType = buf[off + Vrrp.AuthType]! as VrrpAuthType;
  const authOff = off + Vrrp.Addrs + 4 * n;
  return {
    ...base,
    intervalCs: buf[off + Vrrp.AdverInt]! * 100,
    authType,
    ...(short || authType === VrrpAuthType.None
      ? {}
      : { authData: Buffer.from(buf.subarray(authOff, authOff + VRRP_AUTH_LEN)) }),
  };
}
