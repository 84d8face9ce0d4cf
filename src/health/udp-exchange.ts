// One datagram to a checked server and what comes back, for the checkers that speak UDP
// (UDP_CHECK, DNS_CHECK): the socket (from bindto when set, as every checker leaves), its
// timeout and its errors (an ICMP port unreachable shows as ECONNREFUSED on a connected
// socket), closed once the first of them decides.
import { createSocket } from 'node:dgram';
import { failed, type CheckResult, type CheckTarget } from './checker.js';

export interface UdpExchange {
  /** How failure messages name the check: 'UDP_CHECK', 'DNS_CHECK'. */
  readonly label: string;
  readonly payload: Buffer;
  /** The verdict on the first datagram that comes back. */
  onReply(msg: Buffer): CheckResult;
  /** The verdict when nothing comes back within the target's timeout. */
  onSilence(): CheckResult;
}

export function udpExchange(t: CheckTarget, x: UdpExchange): Promise<CheckResult> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    let ended = false;
    const done = (r: CheckResult): void => {
      if (ended) return; // close() twice would throw
      ended = true;
      clearTimeout(timer);
      sock.close();
      resolve(r);
    };
    const timer = setTimeout(() => done(x.onSilence()), t.timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) =>
      done(failed(`${x.label} ${t.ip}:${t.port}: ${e.code ?? e.message}`)),
    );
    sock.on('message', (msg) => done(x.onReply(msg)));
    // connect() reports a failure (ENETUNREACH: no route) to its callback, not as 'error';
    // sending on the socket it left unconnected would throw ERR_SOCKET_BAD_PORT from here.
    const send = (): void => {
      sock.connect(t.port, t.ip, (err?: Error) => {
        if (err)
          done(
            failed(
              `${x.label} ${t.ip}:${t.port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`,
            ),
          );
        else sock.send(x.payload);
      });
    };
    if (t.bindto) sock.bind(0, t.bindto, send);
    else send();
  });
}
