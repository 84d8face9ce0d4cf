// uvsd's log: every line carries a timestamp (ISO 8601, UTC) and goes to stderr (the console,
// which systemd's journal collects) and, with -S, to syslog. -D adds detail lines. Messages
// about a virtual server or a checker name it: `context()` gives a Log that prefixes every
// message, so that the code writing messages need not repeat the names.
import { Severity, SyslogSink } from './syslog.js';

export type Log = (msg: string) => void;

export interface LogOptions {
  /** Write to stderr. keepalived logs to syslog unless -l; uvsd logs to stderr unless -S. */
  readonly console: boolean;
  /** -D/--log-detail: also the detail lines. */
  readonly detail: boolean;
  /** -S: syslog facility number. */
  readonly facility?: number;
  readonly syslogSocket?: string;
  /** For tests: where console lines go, and the clock. */
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

const PROGRAM_PREFIX = /^uvsd: /;

/** A Log that prefixes every message with `context` ("virtual_server 10.0.0.1 80: …"). */
export function withContext(log: Log, context: string): Log {
  return (msg) => log(`${context}: ${msg}`);
}

export class Logger {
  private readonly syslog: SyslogSink | undefined;
  private readonly write: (line: string) => void;
  private readonly now: () => Date;

  constructor(private readonly opts: LogOptions) {
    this.write = opts.write ?? ((line) => void process.stderr.write(line));
    this.now = opts.now ?? (() => new Date());
    this.syslog =
      opts.facility !== undefined
        ? new SyslogSink(
            opts.facility,
            (why) => this.toConsole(`uvsd: ${why}`, true),
            opts.syslogSocket,
          )
        : undefined;
  }

  private toConsole(msg: string, always = false): void {
    if (!this.opts.console && !always && this.syslog?.working) return;
    this.write(`${this.now().toISOString()} ${msg}\n`);
  }

  private emit(severity: Severity, msg: string): void {
    const line = PROGRAM_PREFIX.test(msg) ? msg : `uvsd: ${msg}`;
    this.toConsole(line);
    this.syslog?.write(severity, line.replace(PROGRAM_PREFIX, ''));
  }

  readonly info: Log = (msg) => this.emit(Severity.Info, msg);
  readonly warn: Log = (msg) => this.emit(Severity.Warning, msg);
  readonly error: Log = (msg) => this.emit(Severity.Err, msg);
  /** Only with -D. */
  readonly detail: Log = (msg) => {
    if (this.opts.detail) this.emit(Severity.Debug, msg);
  };

  /** Flushes syslog's lines (bounded): call before exiting. */
  close(): Promise<void> {
    return this.syslog?.close() ?? Promise.resolve();
  }
}
