// Runs a classic BPF program over a frame as the kernel does for a packet socket
// (net/core/filter.c semantics): loads past the end of the frame and division by zero
// return 0 (drop). For tests and for checking a generated program; not on the fast path.
import {
  BpfAlu,
  BpfClass,
  BpfJmp,
  BpfMisc,
  BpfMode,
  BpfSize,
  BpfSrc,
  BPF_MAXINSNS,
  BPF_MEMWORDS,
  bpfClass,
  SKF_AD_OFF,
  SKF_AD_VLAN_TAG_PRESENT,
  type BpfInsn,
} from './bpf-insn.js';

export class BpfProgramError extends Error {
  readonly code = 'E_BPF_PROGRAM';
}

/** The kernel's checks (bpf_check_classic): length, jumps inside the program, a final ret. */
export function checkProgram(program: readonly BpfInsn[]): void {
  const n = program.length;
  if (n === 0 || n > BPF_MAXINSNS)
    throw new BpfProgramError(`a program has 1 to ${BPF_MAXINSNS} instructions, not ${n}`);
  program.forEach((i, pc) => {
    if (bpfClass(i.code) !== BpfClass.JMP) return;
    const far = (i.code & 0xf0) === BpfJmp.JA ? i.k : Math.max(i.jt, i.jf);
    if (pc + 1 + far >= n) throw new BpfProgramError(`instruction ${pc} jumps past the end`);
  });
  if (bpfClass(program[n - 1]!.code) !== BpfClass.RET)
    throw new BpfProgramError('the last instruction is not a ret');
}

function load(frame: Uint8Array, off: number, size: number): number | undefined {
  const bytes = size === BpfSize.W ? 4 : size === BpfSize.H ? 2 : size === BpfSize.B ? 1 : 0;
  if (bytes === 0 || off < 0 || off + bytes > frame.length) return undefined;
  let v = 0;
  for (let i = 0; i < bytes; i++) v = v * 256 + frame[off + i]!;
  return v;
}

function alu(op: number, a: number, b: number): number | undefined {
  switch (op) {
    case BpfAlu.ADD:
      return (a + b) >>> 0;
    case BpfAlu.SUB:
      return (a - b) >>> 0;
    case BpfAlu.MUL:
      return Math.imul(a, b) >>> 0;
    case BpfAlu.DIV:
      return b === 0 ? undefined : Math.floor(a / b) >>> 0;
    case BpfAlu.MOD:
      return b === 0 ? undefined : (a % b) >>> 0;
    case BpfAlu.OR:
      return (a | b) >>> 0;
    case BpfAlu.AND:
      return (a & b) >>> 0;
    case BpfAlu.XOR:
      return (a ^ b) >>> 0;
    case BpfAlu.LSH:
      return b >= 32 ? 0 : (a << b) >>> 0;
    case BpfAlu.RSH:
      return b >= 32 ? 0 : a >>> b;
    case BpfAlu.NEG:
      return -a >>> 0;
    default:
      throw new BpfProgramError(`unknown ALU operation 0x${op.toString(16)}`);
  }
}

/** The socket buffer's metadata that ancillary loads read. */
export interface FrameMeta {
  /** The kernel took a VLAN tag out of the frame. */
  readonly vlanTagPresent?: boolean;
}

function ancillary(k: number, meta: FrameMeta): number {
  const what = (k | 0) - SKF_AD_OFF;
  if (what === SKF_AD_VLAN_TAG_PRESENT) return meta.vlanTagPresent ? 1 : 0;
  throw new BpfProgramError(`unsupported ancillary load SKF_AD_OFF + ${what}`);
}

/** A load into A (undefined: out of the frame, which ends the program with 0). */
function loadA(
  insn: BpfInsn,
  pc: number,
  frame: Uint8Array,
  x: number,
  mem: Uint32Array,
  meta: FrameMeta,
): number | undefined {
  const { code, k } = insn;
  const size = code & 0x18;
  const mode = code & 0xe0;
  if (mode === BpfMode.IMM) return k;
  if (mode === BpfMode.ABS && (k | 0) < 0 && (k | 0) >= SKF_AD_OFF) return ancillary(k, meta);
  if (mode === BpfMode.ABS) return load(frame, k, size);
  if (mode === BpfMode.IND) return load(frame, x + k, size);
  if (mode === BpfMode.MEM) return mem[k & 15];
  if (mode === BpfMode.LEN) return frame.length;
  throw new BpfProgramError(`instruction ${pc}: unknown load mode 0x${mode.toString(16)}`);
}

/** A load into X (undefined: out of the frame). */
function loadX(insn: BpfInsn, pc: number, frame: Uint8Array, mem: Uint32Array): number | undefined {
  const { code, k } = insn;
  const mode = code & 0xe0;
  if (mode === BpfMode.IMM) return k >>> 0;
  if (mode === BpfMode.MEM) return mem[k & 15]!;
  if (mode === BpfMode.LEN) return frame.length;
  if (mode === BpfMode.MSH) {
    const b = load(frame, k, BpfSize.B);
    return b === undefined ? undefined : (b & 0x0f) * 4;
  }
  throw new BpfProgramError(`instruction ${pc}: unknown ldx mode 0x${mode.toString(16)}`);
}

/** A conditional jump's test. */
function jumpTaken(op: number, a: number, b: number): boolean {
  if (op === BpfJmp.JEQ) return a === b;
  if (op === BpfJmp.JGT) return a > b;
  if (op === BpfJmp.JGE) return a >= b;
  return (a & b) !== 0;
}

/** The program's return value for `frame` (Ethernet header first): 0 drops the frame. */
export function runFilter(
  program: readonly BpfInsn[],
  frame: Uint8Array,
  meta: FrameMeta = {},
): number {
  checkProgram(program);
  const mem = new Uint32Array(BPF_MEMWORDS);
  let a = 0;
  let x = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const { code, jt, jf, k } = program[pc]!;
    switch (bpfClass(code)) {
      case BpfClass.LD: {
        const v = loadA(program[pc]!, pc, frame, x, mem, meta);
        if (v === undefined) return 0;
        a = v >>> 0;
        break;
      }
      case BpfClass.LDX: {
        const v = loadX(program[pc]!, pc, frame, mem);
        if (v === undefined) return 0;
        x = v;
        break;
      }
      case BpfClass.ST:
        mem[k & 15] = a;
        break;
      case BpfClass.STX:
        mem[k & 15] = x;
        break;
      case BpfClass.ALU: {
        const v = alu(code & 0xf0, a, code & BpfSrc.X ? x : k >>> 0);
        if (v === undefined) return 0;
        a = v;
        break;
      }
      case BpfClass.JMP: {
        const op = code & 0xf0;
        if (op === BpfJmp.JA) {
          pc += k;
          break;
        }
        pc += jumpTaken(op, a, code & BpfSrc.X ? x : k >>> 0) ? jt : jf;
        break;
      }
      case BpfClass.RET:
        return (code & 0x18) === BpfSrc.A ? a : code & BpfSrc.X ? x : k >>> 0;
      case BpfClass.MISC:
        if ((code & 0xf8) === BpfMisc.TXA) a = x;
        else x = a;
        break;
    }
  }
  throw new BpfProgramError('the program ran off its end');
}
