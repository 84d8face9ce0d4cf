// Builds a classic BPF program with symbolic jump targets. Conditional jumps reach at most
// 255 instructions ahead (jt and jf are bytes): a branch whose target is farther is routed
// through an unconditional `ja` (32-bit offset) inserted right after it, until every branch fits.
import {
  BpfClass,
  BpfJmp,
  BpfMode,
  BpfSize,
  BpfSrc,
  insn,
  SKF_AD_OFF,
  type BpfInsn,
} from './bpf-insn.js';

export type Label = number;

interface Item {
  code: number;
  k: number;
  /** Targets of a conditional jump; `ja` uses jt. Labels: resolved at assemble(). */
  jt?: Label;
  jf?: Label;
}

export class BpfAssembler {
  private items: Item[] = [];
  /** labelAt[label]: index in `items` of the instruction the label names. */
  private labelAt: number[] = [];

  newLabel(): Label {
    this.labelAt.push(-1);
    return this.labelAt.length - 1;
  }

  /** Places `label` on the next instruction emitted. */
  place(label: Label): void {
    if (this.labelAt[label] !== -1) throw new Error(`BPF label ${label} placed twice`);
    this.labelAt[label] = this.items.length;
  }

  get length(): number {
    return this.items.length;
  }

  /** A = packet word/half/byte at `off` (ABS) or at X + `off` (IND). */
  load(size: BpfSize.W | BpfSize.H | BpfSize.B, off: number, indexed = false): void {
    this.items.push({ code: BpfClass.LD | size | (indexed ? BpfMode.IND : BpfMode.ABS), k: off });
  }

  /** A = a metadata byte (SKF_AD_VLAN_TAG_PRESENT…). */
  loadAncillary(what: number): void {
    this.items.push({ code: BpfClass.LD | BpfSize.B | BpfMode.ABS, k: (SKF_AD_OFF + what) >>> 0 });
  }

  /** X = 4 * (packet[off] & 0x0f): the IPv4 header length. */
  loadIpHeaderLen(off: number): void {
    this.items.push({ code: BpfClass.LDX | BpfSize.B | BpfMode.MSH, k: off });
  }

  ret(k: number): void {
    this.items.push({ code: BpfClass.RET | BpfSrc.K, k });
  }

  jump(to: Label): void {
    this.items.push({ code: BpfClass.JMP | BpfJmp.JA, k: 0, jt: to });
  }

  /** if (A op k) goto jt else goto jf; an absent target is the next instruction. */
  branch(
    op: BpfJmp.JEQ | BpfJmp.JGT | BpfJmp.JGE | BpfJmp.JSET,
    k: number,
    jt?: Label,
    jf?: Label,
  ): void {
    const next = jt === undefined || jf === undefined ? this.newLabel() : undefined;
    this.items.push({ code: BpfClass.JMP | op | BpfSrc.K, k, jt: jt ?? next!, jf: jf ?? next! });
    if (next !== undefined) this.place(next);
  }

  assemble(): BpfInsn[] {
    for (const it of this.items)
      for (const label of [it.jt, it.jf]) {
        const at = label === undefined ? 0 : this.labelAt[label]!;
        if (at < 0 || at >= this.items.length)
          throw new Error(`BPF label ${label} names no instruction`);
      }
    while (this.insertTrampolines());
    return this.items.map((it, i) => {
      if ((it.code & 0x07) !== BpfClass.JMP) return insn(it.code, it.k);
      if ((it.code & 0xf0) === BpfJmp.JA) return insn(it.code, this.distance(i, it.jt!));
      return insn(it.code, it.k, this.distance(i, it.jt!), this.distance(i, it.jf!));
    });
  }

  private distance(from: number, to: Label): number {
    const d = this.labelAt[to]! - from - 1;
    if (d < 0) throw new Error('BPF jumps only forward');
    return d;
  }

  /** One pass: a `ja` after every branch too far; true if it changed the code. */
  private insertTrampolines(): boolean {
    const out: Item[] = [];
    /** newAt[i]: where old item i (or the end, i = length) lands. */
    const newAt = new Int32Array(this.items.length + 1);
    const trampolines: { label: Label; at: number }[] = [];
    for (let i = 0; i < this.items.length; i++) {
      const it = this.items[i]!;
      newAt[i] = out.length;
      out.push(it);
      if ((it.code & 0x07) !== BpfClass.JMP || (it.code & 0xf0) === BpfJmp.JA) continue;
      for (const side of ['jt', 'jf'] as const) {
        if (this.distance(i, it[side]!) <= 255) continue;
        const label = this.newLabel();
        trampolines.push({ label, at: out.length });
        out.push({ code: BpfClass.JMP | BpfJmp.JA, k: 0, jt: it[side]! });
        it[side] = label;
      }
    }
    if (trampolines.length === 0) return false;
    newAt[this.items.length] = out.length;
    for (let l = 0; l < this.labelAt.length; l++)
      if (this.labelAt[l]! >= 0) this.labelAt[l] = newAt[this.labelAt[l]!]!;
    for (const t of trampolines) this.labelAt[t.label] = t.at;
    this.items = out;
    return true;
  }
}
