// The IPv6 connection table: ConnTable's chains, bucket locks, free list and lock-free lookups
// over longer entries (conn-layout.ts, CONN_V6), so that IPv4 connections keep their 26 words.
// The three address words of the common layout hold a fold of each 128-bit address, seeded as
// the hash is (an attacker choosing many client addresses cannot aim them at one fold), so that
// a lookup rejects nearly every other entry on the entry's first cache line; the full addresses,
// in the entry's tail (Cf6), are compared only when the folds, ports and protocol all match.
// Addresses are given as four uint32 words at an offset of a Uint32Array (a frame's words in
// FrameFields, a real server's in LiveDest): nothing is allocated per lookup.
import { Cf, Cf6, CONN_V6, ConnFlag } from './conn-layout.js';
import { ConnTable, EMPTY, mix, type TemplateInit } from './conn-table.js';
import type { Part, SharedRegion } from './shared/region.js';
import { lock, type ThreadId, unlock } from './shared/spin-lock.js';

/** What templateFor6 needs: TemplateInit's fields, and the real server's address. */
export interface TemplateInit6 extends TemplateInit {
  daddr6: Uint32Array;
  daddr6Off: number;
}

/** The four words at `a[ao]` equal those at `b[bo]`. */
function same4(a: Uint32Array, ao: number, b: Uint32Array, bo: number): boolean {
  return (
    a[ao] === b[bo] && a[ao + 1] === b[bo + 1] && a[ao + 2] === b[bo + 2] && a[ao + 3] === b[bo + 3]
  );
}

export class ConnTable6 extends ConnTable {
  /**
   * The entries as unsigned words: the addresses are compared as IPv6 words are kept elsewhere
   * (FrameFields, LiveDest) and fed to the checksum and formatting helpers as they take them.
   */
  readonly u: Uint32Array;

  static parts6(capacity: number): Part[] {
    return ConnTable.parts(capacity, CONN_V6);
  }

  constructor(region: SharedRegion, capacity: number, owner: ThreadId) {
    super(region, capacity, owner, CONN_V6);
    this.u = region.uint32(`${CONN_V6.name}.entries`, capacity * CONN_V6.stride);
  }

  /** The seeded 32-bit fold of the address at `a[o]` (what the entry's address words hold). */
  fold(a: Uint32Array, o: number): number {
    let h = mix(a[o]! ^ this.seed);
    h = mix(h ^ a[o + 1]!);
    h = mix(h ^ a[o + 2]!);
    return mix(h ^ a[o + 3]!) >>> 0;
  }

  /** Index in `u` of the first of the four words of an entry's address `field`. */
  addrOff(i: number, field: Cf6): number {
    return i * this.stride + field;
  }

  /** The connection of a packet from the client, or -1. Templates are not returned. */
  lookupIn6(
    proto: number,
    c: Uint32Array,
    co: number,
    cport: number,
    v: Uint32Array,
    vo: number,
    vport: number,
  ): number {
    return this.findIn6(proto, c, co, cport, v, vo, vport, 0);
  }

  /** The persistence template of (proto, masked client, VIP or mark words, port), or -1. */
  lookupTemplate6(
    proto: number,
    c: Uint32Array,
    co: number,
    v: Uint32Array,
    vo: number,
    vport: number,
  ): number {
    return this.findIn6(proto, c, co, 0, v, vo, vport, ConnFlag.Template);
  }

  private findIn6(
    proto: number,
    c: Uint32Array,
    co: number,
    cport: number,
    v: Uint32Array,
    vo: number,
    vport: number,
    template: number,
  ): number {
    const w = this.w;
    const u = this.u;
    const s = this.stride;
    const fc = this.fold(c, co);
    const fv = this.fold(v, vo);
    const ports = (cport << 16) | vport;
    let i = Atomics.load(this.inHead, this.hash(proto, fc, cport, fv, vport));
    while (i !== EMPTY) {
      const b = i * s;
      if (
        u[b + Cf.Caddr] === fc &&
        u[b + Cf.Vaddr] === fv &&
        w[b + Cf.Ports] === ports &&
        ((w[b + Cf.DportProtoState]! >>> 8) & 0xff) === proto &&
        (w[b + Cf.Flags]! & (ConnFlag.Template | ConnFlag.Used | ConnFlag.Invalid)) ===
          (template | ConnFlag.Used) &&
        same4(u, b + Cf6.Caddr, c, co) &&
        same4(u, b + Cf6.Vaddr, v, vo)
      ) {
        return i;
      }
      i = w[b + Cf.InNext]!;
    }
    return EMPTY;
  }

  /** The connection of a reply from a real server (d:dport → c:cport), or -1. */
  lookupOut6(
    proto: number,
    d: Uint32Array,
    dOff: number,
    dport: number,
    c: Uint32Array,
    co: number,
    cport: number,
  ): number {
    const w = this.w;
    const u = this.u;
    const s = this.stride;
    const fd = this.fold(d, dOff);
    const fc = this.fold(c, co);
    const dps = (dport << 16) | (proto << 8);
    let i = Atomics.load(this.outHead, this.hash(proto, fd, dport, fc, cport));
    while (i !== EMPTY) {
      const b = i * s;
      if (
        u[b + Cf.Daddr] === fd &&
        u[b + Cf.Caddr] === fc &&
        w[b + Cf.Ports]! >>> 16 === cport &&
        (w[b + Cf.DportProtoState]! & ~0xff) === dps &&
        (w[b + Cf.Flags]! & (ConnFlag.Template | ConnFlag.Used)) === ConnFlag.Used &&
        same4(u, b + Cf6.Daddr, d, dOff) &&
        same4(u, b + Cf6.Caddr, c, co)
      ) {
        return i;
      }
      i = w[b + Cf.OutNext]!;
    }
    return EMPTY;
  }

  /** As ConnTable.prepare, with IPv6 addresses: a new entry not yet in the chains, or -1. */
  prepare6(
    proto: number,
    c: Uint32Array,
    co: number,
    cport: number,
    v: Uint32Array,
    vo: number,
    vport: number,
    d: Uint32Array,
    dOff: number,
    dport: number,
    flags: number,
  ): number {
    const i = this.prepare(
      proto,
      this.fold(c, co),
      cport,
      this.fold(v, vo),
      vport,
      this.fold(d, dOff),
      dport,
      flags,
    );
    if (i === EMPTY) return i;
    const b = i * this.stride;
    const u = this.u;
    for (let k = 0; k < 4; k++) {
      u[b + Cf6.Caddr + k] = c[co + k]!;
      u[b + Cf6.Vaddr + k] = v[vo + k]!;
      u[b + Cf6.Daddr + k] = d[dOff + k]!;
    }
    return i;
  }

  /** As ConnTable.templateFor: found or made under the chain's lock (one template per client). */
  templateFor6(
    proto: number,
    c: Uint32Array,
    co: number,
    v: Uint32Array,
    vo: number,
    vport: number,
    init: TemplateInit6,
  ): number {
    const bucket = this.hash(proto, this.fold(c, co), 0, this.fold(v, vo), vport);
    lock(this.locks, bucket, this.owner);
    let i = this.lookupTemplate6(proto, c, co, v, vo, vport);
    init.created = false;
    if (i === EMPTY) {
      const flags = init.flags | ConnFlag.Template;
      i = this.prepare6(
        proto,
        c,
        co,
        0,
        v,
        vo,
        vport,
        init.daddr6,
        init.daddr6Off,
        init.dport,
        flags,
      );
      if (i !== EMPTY && !init.fill(i)) {
        this.discard(i);
        i = EMPTY;
      } else if (i !== EMPTY) {
        const o = this.outBucket(i);
        if (o !== bucket) lock(this.locks, o, this.owner);
        this.link(i);
        if (o !== bucket) unlock(this.locks, o);
        init.created = true;
      }
    }
    unlock(this.locks, bucket);
    return i;
  }

  /** The folds depend on the seed: an adopted entry gets them again under the new one. */
  override adopt(seed: number, keep: (i: number) => boolean): number[] {
    return super.adopt(seed, (i) => {
      if (!keep(i)) return false;
      const b = i * this.stride;
      const u = this.u;
      u[b + Cf.Caddr] = this.fold(u, b + Cf6.Caddr);
      u[b + Cf.Vaddr] = this.fold(u, b + Cf6.Vaddr);
      u[b + Cf.Daddr] = this.fold(u, b + Cf6.Daddr);
      return true;
    });
  }
}
