// Follows the host's network changes while uvsd runs (addresses, links, routes, neighbours):
// `ip monitor` prints a line per change; a burst of lines becomes one 'change' call. If it dies
// (killed, out of memory), it is started again and a change is signalled (one may have been
// missed): uvsd never stops following the host silently.
import { spawn, type ChildProcess } from 'node:child_process';

const DEBOUNCE_MS = 200;
/** Before starting a dead `ip monitor` again. */
const RESTART_MS = 1000;

export class LinkWatch {
  private child: ChildProcess | undefined;
  private timer: NodeJS.Timeout | undefined;

  private closed = false;

  constructor(
    private readonly onChange: () => void,
    private readonly log: (msg: string) => void = (m) => void process.stderr.write(`${m}\n`),
  ) {}

  start(): void {
    if (this.closed) return;
    const child = spawn('ip', ['monitor', 'link', 'address', 'route'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout.on('data', () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.onChange(), DEBOUNCE_MS);
    });
    child.on('error', (e) => this.log(`uvsd: ip monitor: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (this.closed) return;
      this.log(`uvsd: ip monitor stopped (${signal ?? `exit ${code}`}), starting it again`);
      this.timer = setTimeout(() => {
        this.start();
        this.onChange();
      }, RESTART_MS);
    });
    this.child = child;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.child?.kill();
    this.child = undefined;
  }
}
