// Who may use the control socket: root, and with --socket-group the members of that group
// (mode 0660, that group). The folder /run/uvs is shared by every namespace's uvsd and only
// needs to be traversable; each socket's own mode guards it. uvsadm, refused, says what it needs.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, statSync } from 'node:fs';

export class SocketGroupError extends Error {
  readonly code = 'E_USAGE';
}

/** getent(1) resolves names through NSS, as the C library would. */
function getent(database: 'group', key: string): string[] | undefined {
  const r = spawnSync('getent', [database, key], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return r.stdout.trim().split(':');
}

/** The gid of group `name` (or a number given as is); throws when there is no such group. */
export function groupId(name: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  const entry = getent('group', name);
  const gid = entry ? Number(entry[2]) : NaN;
  if (!Number.isInteger(gid)) throw new SocketGroupError(`--socket-group: no group "${name}"`);
  return gid;
}

export function groupName(gid: number): string {
  return getent('group', String(gid))?.[0] ?? String(gid);
}

/** Root only (0600), or root and group `gid` (0660). */
export function restrictSocket(path: string, gid: number | undefined): void {
  if (gid === undefined) {
    chmodSync(path, 0o600);
    return;
  }
  chownSync(path, process.getuid?.() ?? 0, gid);
  chmodSync(path, 0o660);
}

/** uvsadm's message when the socket refuses it (EACCES): what it needs. */
export function permissionMessage(path: string): string {
  let group = '';
  try {
    const st = statSync(path);
    group = (st.mode & 0o060) === 0o060 ? ` "${groupName(st.gid)}"` : '';
  } catch {
    // the folder itself is closed to us
  }
  const who =
    group !== ''
      ? `root, or membership of the control socket's group${group}`
      : "root (the control socket is root-only; uvsd's --socket-group NAME opens it to a group)";
  return `permission denied on ${path}: uvsadm needs ${who}`;
}
