// keepalived's -t/--config-test: reads and checks a keepalived.conf and says whether it would
// run, touching nothing (no lock, no socket, no capture, no guard, no script run). Exit 0 when
// it reads (its warnings and notices on stderr), 1 with file:line on stderr when it does not.
// The check itself is the keepalived reader's checkConfig(path) (src/keepalived/check-config.ts).
import { checkConfig } from '../keepalived/check-config.js';

export interface ConfigTestResult {
  readonly exitCode: 0 | 1;
  /** What to print on stderr, one line each. */
  readonly lines: readonly string[];
}

export function configTest(file: string): ConfigTestResult {
  const check = checkConfig(file);
  const said = [
    ...check.warnings.map((w) => `uvsd: warning: ${w}`),
    ...check.notices.map((n) => `uvsd: notice: ${n}`),
  ];
  if (check.errors.length > 0 || !check.config)
    return { exitCode: 1, lines: [...check.errors.map((e) => `uvsd: ${e}`), ...said] };
  const n = check.config.virtualServers.length;
  return {
    exitCode: 0,
    lines: [...said, `uvsd: ${file}: configuration OK (${n} virtual server(s))`],
  };
}
