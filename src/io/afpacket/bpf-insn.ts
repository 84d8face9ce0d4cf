// Classic BPF (linux/filter.h, linux/bpf_common.h): the instruction set a packet socket's
// SO_ATTACH_FILTER takes, and its encoding as struct sock_filter { u16 code; u8 jt; u8 jf;
// u32 k; } in host byte order. A program returns the number of bytes to keep: 0 drops.

export const enum BpfClass {
  LD = 0x00,
  LDX = 0x01,
  ST = 0x02,
  STX = 0x03,
  ALU = 0x04,
  JMP = 0x05,
  RET = 0x06,
  MISC = 0x07,
}

export const enum BpfSize {
  W = 0x00,
  H = 0x08,
  B = 0x10,
}

export const enum BpfMode {
  IMM = 0x00,
  ABS = 0x20,
  IND = 0x40,
  MEM = 0x60,
  LEN = 0x80,
  MSH = 0xa0,
}

export const enum BpfAlu {
  ADD = 0x00,
  SUB = 0x10,
  MUL = 0x20,
  DIV = 0x30,
  OR = 0x40,
  AND = 0x50,
  LSH = 0x60,
  RSH = 0x70,
  NEG = 0x80,
  MOD = 0x90,
  XOR = 0xa0,
}

export const enum BpfJmp {
  JA = 0x00,
  JEQ = 0x10,
  JGT = 0x20,
  JGE = 0x30,
  JSET = 0x40,
}

/** Operand of ALU and jumps (BPF_SRC), and what ret returns (BPF_RVAL: K, X or A). */
export const enum BpfSrc {
  K = 0x00,
  X = 0x08,
  A = 0x10,
}

export const enum BpfMisc {
  TAX = 0x00,
  TXA = 0x80,
}

/**
 * Loads at SKF_AD_OFF + n (a negative offset) read the socket buffer's metadata instead of the
 * frame: SKF_AD_VLAN_TAG_PRESENT is 1 when the kernel took a VLAN tag out of the frame.
 */
export const SKF_AD_OFF = -0x1000;
export const SKF_AD_VLAN_TAG_PRESENT = 48;

/** BPF_MAXINSNS: the kernel refuses longer programs. */
export const BPF_MAXINSNS = 4096;
/** Scratch memory words (M[0..15]). */
export const BPF_MEMWORDS = 16;
export const SOCK_FILTER_LEN = 8;

export interface BpfInsn {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

export function insn(code: number, k = 0, jt = 0, jf = 0): BpfInsn {
  return { code, jt, jf, k: k >>> 0 };
}

export function bpfClass(code: number): number {
  return code & 0x07;
}

export function encodeProgram(program: readonly BpfInsn[]): Buffer {
  const buf = Buffer.alloc(program.length * SOCK_FILTER_LEN);
  program.forEach((i, n) => {
    const o = n * SOCK_FILTER_LEN;
    buf.writeUInt16LE(i.code, o);
    buf.writeUInt8(i.jt, o + 2);
    buf.writeUInt8(i.jf, o + 3);
    buf.writeUInt32LE(i.k >>> 0, o + 4);
  });
  return buf;
}

export function decodeProgram(buf: Buffer): BpfInsn[] {
  if (buf.length % SOCK_FILTER_LEN !== 0)
    throw new RangeError(`a BPF program is a multiple of 8 bytes, not ${buf.length}`);
  const out: BpfInsn[] = [];
  for (let o = 0; o < buf.length; o += SOCK_FILTER_LEN)
    out.push({
      code: buf.readUInt16LE(o),
      jt: buf.readUInt8(o + 2),
      jf: buf.readUInt8(o + 3),
      k: buf.readUInt32LE(o + 4),
    });
  return out;
}
