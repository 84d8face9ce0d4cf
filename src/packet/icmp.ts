// ICMPv4 header view (RFC 792). Offsets are relative to the start of the ICMP header.

export const ICMP_HLEN = 8;

export const enum Icmp {
  Type = 0,
  Code = 1,
  Csum = 2,
  /** Identifier of echo messages; unused word of error messages. */
  Id = 4,
  /** Next-hop MTU of "fragmentation needed" (RFC 1191). */
  NextHopMtu = 6,
  /** Start of the quoted IP header in error messages. */
  Quoted = 8,
}

export const enum IcmpType {
  EchoReply = 0,
  DestUnreachable = 3,
  SourceQuench = 4,
  EchoRequest = 8,
  TimeExceeded = 11,
  ParameterProblem = 12,
}

export const ICMP_CODE_PORT_UNREACHABLE = 3;
export const ICMP_CODE_FRAG_NEEDED = 4;

/** Error types that quote the offending packet and so can relate to a connection. */
export function icmpIsError(type: number): boolean {
  return (
    type === IcmpType.DestUnreachable ||
    type === IcmpType.SourceQuench ||
    type === IcmpType.TimeExceeded ||
    type === IcmpType.ParameterProblem
  );
}
