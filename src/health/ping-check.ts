// PING_CHECK: one ICMP echo answered within connect_timeout. Node has no raw sockets: the
// system's ping (iputils) sends it.
import { spawn } from 'node:child_process';
import { failed, ok, type Checker, type CheckResult, type CheckTarget } from './checker.js';

export class PingCheck implements Checker {
  readonly type = 'PING_CHECK';

  check(t: CheckTarget): Promise<CheckResult> {
    return new Promise((resolve) => {
      const secs = String(Math.max(1, Math.ceil(t.timeoutMs / 1000)));
      const args = ['-n', '-q', '-c', '1', '-W', secs, ...(t.bindto ? ['-I', t.bindto] : []), t.ip];
      const child = spawn('ping', args, { stdio: 'ignore' });
      child.once('error', (e) => resolve(failed(`ping: ${e.message}`)));
      child.once('exit', (code) =>
        resolve(code === 0 ? ok : failed(`no echo reply from ${t.ip} within ${secs} s`)),
      );
    });
  }
}
