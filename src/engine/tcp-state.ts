// IPVS's TCP connection states and transitions (non-secure table of ip_vs_proto_tcp.c):
// the director sees only headers, so the state is its best guess of the endpoints' state,
// and the state's timeout decides when the connection entry expires.
import { TcpFlag } from '../packet/tcp.js';

export const enum TcpState {
  None = 0,
  Established = 1,
  SynSent = 2,
  SynRecv = 3,
  FinWait = 4,
  TimeWait = 5,
  Close = 6,
  CloseWait = 7,
  LastAck = 8,
  Listen = 9,
  SynAck = 10,
}

export const TCP_STATE_COUNT = 11;

export const TCP_STATE_NAMES = [
  'NONE',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'SYNACK',
] as const;

/** Which way a packet travels, as IPVS's state table distinguishes it. */
export const enum Direction {
  /** Client to real server. */
  Input = 0,
  /** Real server to client (seen by NAT only). */
  Output = 1,
  /** Client to real server on a connection whose replies bypass the director (DR, TUN). */
  InputOnly = 2,
}

const ES = TcpState.Established;
const SS = TcpState.SynSent;
const SR = TcpState.SynRecv;
const FW = TcpState.FinWait;
const TW = TcpState.TimeWait;
const CL = TcpState.Close;
const CW = TcpState.CloseWait;
const LA = TcpState.LastAck;
const LI = TcpState.Listen;

// Rows: direction × event (syn, fin, ack, rst); columns: current state in TcpState order.
// prettier-ignore
const TRANSITIONS: readonly (readonly TcpState[])[] = [
  // Input
  [SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR], // syn
  [CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW], // fin
  [CL, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES], // ack
  [CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR], // rst
  // Output
  [SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR],
  [TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW],
  [ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES],
  [CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL],
  // Input only
  [SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR],
  [CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW],
  [CL, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES],
  [CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL],
];

// The "secure" table IPVS switches to under attack (secure_tcp, tcp_states_dos): a connection
// moves towards ESTABLISHED only when the real server is seen answering (or, for DR/TUN, when
// the client completes the handshake), so spoofed SYNs stay in SYN_RECV/SYNACK, whose entries
// the defences drop first.
const SA = TcpState.SynAck;
// prettier-ignore
const SECURE_TRANSITIONS: readonly (readonly TcpState[])[] = [
  // Input
  [SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SA], // syn
  [CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, SA], // fin
  [CL, ES, SS, SR, FW, TW, CL, CW, CL, LI, SA], // ack
  [CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL], // rst
  // Output
  [SS, ES, SS, SA, SS, SS, SS, SS, SS, LI, SA],
  [TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW],
  [ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES],
  [CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL],
  // Input only
  [SA, ES, ES, SR, SA, SA, SA, SA, SA, SA, SA],
  [CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW],
  [CL, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES],
  [CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL],
];

/**
 * The next state for a segment with TCP `flags` travelling in `dir` on a connection in
 * `state`. RST wins over SYN, SYN over FIN, FIN over ACK; a segment with none of them
 * leaves the state unchanged.
 */
export function nextTcpState(
  state: TcpState,
  dir: Direction,
  flags: number,
  secure = false,
): TcpState {
  let event: number;
  if (flags & TcpFlag.RST) event = 3;
  else if (flags & TcpFlag.SYN) event = 0;
  else if (flags & TcpFlag.FIN) event = 1;
  else if (flags & TcpFlag.ACK) event = 2;
  else return state;
  return (secure ? SECURE_TRANSITIONS : TRANSITIONS)[dir * 4 + event]![state]!;
}
