// TCP_CHECK: the server accepts a TCP connection within connect_timeout.
import { connect } from 'node:net';
import { failed, ok, type Checker, type CheckResult, type CheckTarget } from './checker.js';

export function tcpConnect(t: CheckTarget): Promise<CheckResult> {
  return new Promise((resolve) => {
    const sock = connect({
      host: t.ip,
      port: t.port,
      ...(t.bindto ? { localAddress: t.bindto } : {}),
    });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(failed(`TCP_CHECK ${t.ip}:${t.port}: no connection within ${t.timeoutMs} ms`));
    }, t.timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(failed(`TCP_CHECK ${t.ip}:${t.port}: ${e.code ?? e.message}`));
    });
  });
}

export class TcpCheck implements Checker {
  readonly type = 'TCP_CHECK';
  check(t: CheckTarget): Promise<CheckResult> {
    return tcpConnect(t);
  }
}
