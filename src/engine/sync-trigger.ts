// When a sync master tells its backups about a connection: IPVS's ip_vs_sync_conn_needed with
// the default sysctls (sync_threshold 3, sync_period 50, sync_refresh_period 0). A TCP
// connection is sent when it enters FIN_WAIT, CLOSE, CLOSE_WAIT or TIME_WAIT, and while in one
// of those states or ESTABLISHED at its 3rd incoming packet and every 50 after; a UDP one at
// its 3rd and every 50th. The template that controls a sent connection goes with it.
import { IpProto } from '../packet/ipv4.js';
import { TcpState } from './tcp-state.js';

export const SYNC_THRESHOLD = 3;
export const SYNC_PERIOD = 50;

const TCP_SYNC_STATES =
  (1 << TcpState.Established) |
  (1 << TcpState.FinWait) |
  (1 << TcpState.Close) |
  (1 << TcpState.CloseWait) |
  (1 << TcpState.TimeWait);

/** Whether incoming packet number `pkts` of a connection, now in `state`, is to be synced. */
export function syncNeeded(
  proto: number,
  state: number,
  stateChanged: boolean,
  pkts: number,
): boolean {
  if (proto === IpProto.TCP) {
    if (((1 << state) & TCP_SYNC_STATES) === 0) return false;
    if (stateChanged && state !== TcpState.Established) return true;
  }
  return pkts % SYNC_PERIOD === SYNC_THRESHOLD;
}
