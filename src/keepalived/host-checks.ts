// The checks keepalived -t makes against the host rather than the file, read-only: the
// interfaces the file names exist in this network namespace (and VRRP is not on loopback),
// and scripts that would run as root while enable_script_security is off (keepalived's
// "SECURITY VIOLATION", made only when a script's command is found on this host).
import { readdirSync, statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Where } from '../health/checker-spec.js';
import type { Diagnostic, KeepalivedConfig } from './model.js';
import { splitQuotedEscaped } from './script-reader.js';
import type { NotifyScripts } from './vrrp-model.js';

/** keepalived's PATH when the environment has none. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The interfaces of this network namespace. */
export function hostInterfaces(): ReadonlySet<string> {
  try {
    return new Set(readdirSync('/sys/class/net'));
  } catch {
    return new Set(Object.keys(networkInterfaces()));
  }
}

export function interfaceDiagnostics(
  config: KeepalivedConfig,
  interfaces: ReadonlySet<string>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const ref of config.interfaceRefs) {
    const at = { kind: 'warning', file: ref.file, line: ref.line } as const;
    if (!interfaces.has(ref.name))
      out.push({ ...at, message: `interface ${ref.name} for ${ref.what} doesn't exist` });
    else if (ref.name === 'lo' && ref.what.startsWith('vrrp_instance'))
      out.push({ ...at, message: `(${ref.what}) cannot use a loopback interface (lo) for vrrp` });
  }
  return out;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Is the command found on this host (absolute, or on the PATH)? */
function found(command: string | undefined): boolean {
  if (command === undefined || command === '') return false;
  if (command.includes('/')) return isAbsolute(command) && isFile(command);
  const path = process.env.PATH ?? DEFAULT_PATH;
  return path.split(delimiter).some((dir) => dir !== '' && isFile(join(dir, command)));
}

/** The command word of a script line as the LVS side stores it (a string). */
const commandOf = (line: string | undefined): string | undefined =>
  line === undefined ? undefined : splitQuotedEscaped(line)?.[0];

interface Run {
  readonly where: Where;
  readonly command: string | undefined;
}

function vrrpScripts(config: KeepalivedConfig): Run[] {
  const runs: Run[] = config.vrrp.scripts.map((s) => ({
    where: s.where,
    command: s.script.argv[0],
  }));
  const notifies = (where: Where, n: NotifyScripts): Run[] =>
    Object.values(n).map((sc: NotifyScripts[keyof NotifyScripts]) => ({
      where,
      command: sc?.argv[0],
    }));
  for (const i of config.vrrp.instances) runs.push(...notifies(i.where, i.notify));
  for (const g of config.vrrp.syncGroups) runs.push(...notifies(g.where, g.notify));
  return runs;
}

function checkScripts(config: KeepalivedConfig): Run[] {
  const runs: Run[] = [];
  for (const vs of config.virtualServers) {
    runs.push({ where: vs.where, command: commandOf(vs.quorumUp) });
    runs.push({ where: vs.where, command: commandOf(vs.quorumDown) });
    for (const rs of vs.realServers) {
      runs.push({ where: rs.where, command: commandOf(rs.notifyUp) });
      runs.push({ where: rs.where, command: commandOf(rs.notifyDown) });
      for (const c of rs.checkers) runs.push({ where: c.where, command: commandOf(c.miscPath) });
    }
  }
  return runs;
}

export function scriptSecurityDiagnostics(config: KeepalivedConfig): Diagnostic[] {
  if (config.global.enableScriptSecurity) return [];
  const out: Diagnostic[] = [];
  const violation = (runs: Run[], what: string): void => {
    const first = runs.find((r) => found(r.command));
    if (first)
      out.push({
        kind: 'warning',
        file: first.where.file,
        line: first.where.line,
        message: `SECURITY VIOLATION - ${what} are being executed but script_security not enabled.`,
      });
  };
  violation(vrrpScripts(config), 'scripts');
  violation(checkScripts(config), 'check scripts');
  return out;
}
