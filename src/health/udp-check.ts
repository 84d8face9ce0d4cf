// UDP_CHECK: a datagram (payload) to the server; down when an ICMP port unreachable comes
// back, or, with require_reply, when no matching reply comes within connect_timeout.
import { createSocket } from 'node:dgram';
import { failed, ok, type Checker, type CheckResult, type CheckTarget } from './checker.js';

export class UdpCheck implements Checker {
  readonly type = 'UDP_CHECK';

  constructor(
    private readonly payload: string,
    private readonly requireReply?: string,
  ) {}

  check(t: CheckTarget): Promise<CheckResult> {
    return new Promise((resolve) => {
      const sock = createSocket('udp4');
      const done = (r: CheckResult): void => {
        clearTimeout(timer);
        sock.close();
        resolve(r);
      };
      const timer = setTimeout(
        () =>
          done(
            this.requireReply !== undefined
              ? failed(`UDP ${t.ip}:${t.port}: no reply within ${t.timeoutMs} ms`)
              : ok,
          ),
        t.timeoutMs,
      );
      sock.on('error', (e: NodeJS.ErrnoException) =>
        done(failed(`UDP ${t.ip}:${t.port}: ${e.code ?? e.message}`)),
      );
      sock.on('message', (msg) => {
        if (this.requireReply === undefined || msg.toString().includes(this.requireReply)) done(ok);
        else done(failed(`UDP ${t.ip}:${t.port}: unexpected reply`));
      });
      const send = (): void => {
        sock.connect(t.port, t.ip, () => sock.send(Buffer.from(this.payload)));
      };
      if (t.bindto) sock.bind(0, t.bindto, send);
      else send();
    });
  }
}
