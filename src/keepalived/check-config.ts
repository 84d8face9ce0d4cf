// `uvsd -t` / `--config-test`: reads and checks a keepalived.conf as keepalived -t does,
// touching nothing (no socket, no guard, no file written). On top of the reader's own
// checks it looks at the host read-only: the interfaces the file names must exist in this
// network namespace, VRRP does not run on loopback, and scripts found on this host do not
// run as root without enable_script_security (keepalived's host checks, host-checks.ts).
import { readKeepalivedConfig } from './config.js';
import { ConfigError } from './config-error.js';
import type { LexOptions } from './lexer.js';
import { hostInterfaces, interfaceDiagnostics, scriptSecurityDiagnostics } from './host-checks.js';
import type { Diagnostic, KeepalivedConfig } from './model.js';

export { hostInterfaces } from './host-checks.js';

export interface CheckOptions extends LexOptions {
  /** Interfaces of the host (default: this network namespace's, from /sys/class/net). */
  readonly interfaces?: ReadonlySet<string>;
}

export interface ConfigCheck {
  /** Why the file is refused (uvsd would not load it); empty when it reads. */
  readonly errors: readonly string[];
  /** What keepalived -t complains about too; the file still loads. */
  readonly warnings: readonly string[];
  /** What keepalived accepts and uvs does not act on. */
  readonly notices: readonly string[];
  /** Warnings and notices with their places, for tools. */
  readonly diagnostics: readonly Diagnostic[];
  /** The configuration, when it reads. */
  readonly config?: KeepalivedConfig;
}

const text = (d: Diagnostic): string => `${d.file}:${d.line}: ${d.message}`;

/** Reads and checks `path`: every problem, nothing applied. Never throws. */
export function checkConfig(path: string, opts: CheckOptions = {}): ConfigCheck {
  let config: KeepalivedConfig;
  try {
    config = readKeepalivedConfig(path, opts);
  } catch (err) {
    const message =
      err instanceof ConfigError
        ? err.message
        : `${path}: internal error while reading: ${(err as Error).message}`;
    return { errors: [message], warnings: [], notices: [], diagnostics: [] };
  }
  const host = [
    // In another namespace (keepalived's net_namespace) the interfaces are not ours to see.
    ...(config.netNamespace === undefined
      ? interfaceDiagnostics(config, opts.interfaces ?? hostInterfaces())
      : []),
    ...scriptSecurityDiagnostics(config),
  ];
  const diagnostics = [...config.diagnostics, ...host].sort((a, b) =>
    a.file === b.file ? a.line - b.line : 0,
  );
  return {
    errors: [],
    warnings: diagnostics.filter((d) => d.kind === 'warning').map(text),
    notices: diagnostics.filter((d) => d.kind === 'notice').map(text),
    diagnostics,
    config,
  };
}
