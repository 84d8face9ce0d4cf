// SMTP_CHECK: a 220 greeting, 250 to EHLO (helo_name), then QUIT (221), as keepalived does.
import { connect } from 'node:net';
import { failed, ok, type Checker, type CheckResult, type CheckTarget } from './checker.js';

export class SmtpCheck implements Checker {
  readonly type = 'SMTP_CHECK';

  constructor(private readonly heloName: string) {}

  check(t: CheckTarget): Promise<CheckResult> {
    return new Promise((resolve) => {
      const sock = connect({
        host: t.ip,
        port: t.port,
        ...(t.bindto ? { localAddress: t.bindto } : {}),
      });
      let buf = '';
      let stage = 0; // 0: greeting, 1: EHLO, 2: QUIT
      const done = (r: CheckResult): void => {
        clearTimeout(timer);
        sock.destroy();
        resolve(r);
      };
      const timer = setTimeout(
        () => done(failed(`SMTP_CHECK ${t.ip}:${t.port}: no answer within ${t.timeoutMs} ms`)),
        t.timeoutMs,
      );
      sock.setEncoding('utf8');
      sock.on('error', (e: NodeJS.ErrnoException) =>
        done(failed(`SMTP_CHECK ${t.ip}:${t.port}: ${e.code ?? e.message}`)),
      );
      sock.on('data', (d: string) => {
        buf += d;
        // A reply ends with a line "NNN text" (a space after the code, not "NNN-").
        const lines = buf.split('\r\n');
        const last = lines.filter((l) => /^\d{3} /.test(l)).pop();
        if (!last) return;
        buf = '';
        const code = Number(last.slice(0, 3));
        if (stage === 0) {
          if (code !== 220) return done(failed(`SMTP_CHECK greeting ${code}`));
          stage = 1;
          sock.write(`EHLO ${this.heloName}\r\n`);
        } else if (stage === 1) {
          if (code !== 250) return done(failed(`SMTP_CHECK EHLO answered ${code}`));
          stage = 2;
          sock.write('QUIT\r\n');
        } else {
          done(code === 221 ? ok : failed(`SMTP_CHECK QUIT answered ${code}`));
        }
      });
    });
  }
}
