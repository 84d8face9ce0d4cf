// keepalived's signals without Node's: Node starts its inspector (a debugger that runs any code
// it is sent, here as root in the director's namespace) on SIGUSR1, unless the process listens
// for SIGUSR1 itself. This module is uvsd's first import: evaluating it installs uvsd's own
// SIGUSR1 and SIGUSR2 listeners before any other module runs, so that from then on the signals
// only ever reach uvsd's handlers (a signal arriving before a handler is set is remembered and
// handled when it is). An inspector already open — --inspect in NODE_OPTIONS or on the command
// line, or a SIGUSR1 received while Node was still starting — is closed and uvsd refuses to
// start (see inspectorRefusal): a director must not run with a debugger port open.
import inspector from 'node:inspector';

export type DaemonSignal = 'SIGUSR1' | 'SIGUSR2';

const handlers = new Map<DaemonSignal, () => void>();
const pending = new Set<DaemonSignal>();

for (const sig of ['SIGUSR1', 'SIGUSR2'] as const) {
  process.on(sig, () => {
    const handler = handlers.get(sig);
    if (handler) handler();
    else pending.add(sig);
  });
}

/** Sets what `sig` does (replacing the previous handler); runs it now if `sig` came earlier. */
export function onDaemonSignal(sig: DaemonSignal, handler: () => void): void {
  handlers.set(sig, handler);
  if (pending.delete(sig)) handler();
}

/** Node options that open an inspector. */
const INSPECT_OPTION = /(^|\s)--(inspect|inspect-brk|inspect-wait|debug|debug-brk)(=\S*)?(?=\s|$)/;

/**
 * Closes an open inspector and says why uvsd must not start, or returns undefined when no
 * inspector is open or asked for. --inspect-port alone opens nothing (SIGUSR1 is uvsd's).
 */
export function inspectorRefusal(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env['NODE_OPTIONS'] ?? '',
): string | undefined {
  const open = inspector.url() !== undefined;
  if (open) inspector.close();
  const asked = [...execArgv, ...nodeOptions.split(/\s+/)].find((a) => INSPECT_OPTION.test(a));
  if (asked !== undefined)
    return `refusing to start with the Node inspector (${asked}): it would let anyone who reaches its port run code as uvsd; remove it from NODE_OPTIONS or the node command line`;
  if (open)
    return 'refusing to start: the Node inspector was opened (SIGUSR1 during start-up?); it is closed now, start uvsd again';
  return undefined;
}
