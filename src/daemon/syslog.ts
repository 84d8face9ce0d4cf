// -S/--log-facility: uvsd's log lines to syslog. Node has no Unix datagram socket, so one
// long-lived util-linux `logger` child carries them: it reads one line per message on its stdin,
// each with its own "<priority>" prefix (--prio-prefix), and sends each as one datagram to
// /dev/log (or --syslog-socket), tagged "uvsd[pid]". If logger cannot run or exits, uvsd says
// so once on stderr and carries on without syslog: logging never stops the director.
import { spawn, type ChildProcess } from 'node:child_process';

/** Facilities as keepalived's -S accepts them (local0…local7), plus daemon and user. */
export const FACILITIES: Record<string, number> = {
  user: 1,
  daemon: 3,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

/** syslog(3) severities that uvsd uses. */
export const enum Severity {
  Err = 3,
  Warning = 4,
  Info = 6,
  Debug = 7,
}

/** keepalived's -S takes 0…7 for local0…local7; names are accepted too. */
export function parseFacility(value: string): number | undefined {
  if (/^[0-7]$/.test(value)) return FACILITIES[`local${value}`];
  return FACILITIES[value.toLowerCase()];
}

export class SyslogSink {
  private child: ChildProcess | undefined;
  private failed = false;

  constructor(
    private readonly facility: number,
    private readonly onFailure: (why: string) => void,
    socket?: string,
    tag = 'uvsd',
  ) {
    const args = ['--prio-prefix', '--tag', tag, `--id=${process.pid}`];
    if (socket !== undefined) args.push('--socket', socket, '--socket-errors=on');
    const child = spawn('logger', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('error', (e) => this.fail(`logger: ${e.message}`));
    child.once('exit', (code) => this.fail(`logger exited ${code}${err ? `: ${err.trim()}` : ''}`));
    // A broken pipe to a dead logger is reported through 'exit'; never throw for it.
    child.stdin.on('error', () => {});
    // logger must not keep uvsd alive, nor hold it at exit.
    child.unref();
    this.child = child;
  }

  private fail(why: string): void {
    if (this.failed) return;
    this.failed = true;
    this.child = undefined;
    this.onFailure(`syslog unavailable, logging to stderr only (${why})`);
  }

  get working(): boolean {
    return !this.failed;
  }

  write(severity: Severity, message: string): void {
    const stdin = this.child?.stdin;
    if (!stdin || this.failed) return;
    const pri = this.facility * 8 + severity;
    // One line is one message: a newline inside a message would split it.
    stdin.write(`<${pri}>${message.replace(/\n/g, ' ')}\n`);
  }

  /** Ends the stream; resolves once logger has sent every line (or after `ms`). */
  close(ms = 1000): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return Promise.resolve();
    this.failed = true; // its exit is expected now
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.stdin?.end();
    });
  }
}
