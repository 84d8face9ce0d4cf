// IPVS's default timeouts (ip_vs_proto_tcp.c tcp_timeouts, ip_vs_proto_udp.c udp_timeouts),
// in seconds; `uvsadm --set tcp tcpfin udp` edits ESTABLISHED, FIN_WAIT and UDP.
import { TCP_STATE_COUNT, TcpState } from './tcp-state.js';

export class Timeouts {
  /** Seconds per TCP state, indexed by TcpState. */
  readonly tcp = new Float64Array(TCP_STATE_COUNT);
  udp = 300;

  constructor() {
    const t = this.tcp;
    t[TcpState.None] = 2;
    t[TcpState.Established] = 15 * 60;
    t[TcpState.SynSent] = 2 * 60;
    t[TcpState.SynRecv] = 60;
    t[TcpState.FinWait] = 2 * 60;
    t[TcpState.TimeWait] = 2 * 60;
    t[TcpState.Close] = 10;
    t[TcpState.CloseWait] = 60;
    t[TcpState.LastAck] = 30;
    t[TcpState.Listen] = 2 * 60;
    t[TcpState.SynAck] = 120;
  }

  /** As ipvsadm --set: a zero leaves that timeout unchanged. */
  set(tcp: number, tcpFin: number, udp: number): void {
    if (tcp > 0) this.tcp[TcpState.Established] = tcp;
    if (tcpFin > 0) this.tcp[TcpState.FinWait] = tcpFin;
    if (udp > 0) this.udp = udp;
  }

  get tcpEstablished(): number {
    return this.tcp[TcpState.Established]!;
  }

  get tcpFinWait(): number {
    return this.tcp[TcpState.FinWait]!;
  }
}
