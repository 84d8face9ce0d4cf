// Follows the host's network changes while uvsd runs (addresses, links, routes, neighbours):
// `ip monitor` prints a line per change; a burst of lines becomes one 'change' call.
import { spawn, type ChildProcess } from 'node:child_process';

const DEBOUNCE_MS = 200;

export class LinkWatch {
  private child: ChildProcess | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly onChange: () => void) {}

  start(): void {
    const child = spawn('ip', ['monitor', 'link', 'address', 'route'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout?.on('data', () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.onChange(), DEBOUNCE_MS);
    });
    child.on('error', () => {});
    this.child = child;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.child?.kill();
    this.child = undefined;
  }
}
