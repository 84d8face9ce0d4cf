// The control socket belongs to the network namespace, as the kernel's IPVS table does:
// `ip netns exec X uvsadm -Ln` reaches the uvsd of namespace X with no flag.
import { statSync } from 'node:fs';

export const SOCKET_DIR = '/run/uvs';

/** /run/uvs/<inode of this process's network namespace>.sock */
export function defaultSocketPath(): string {
  return socketPathOf(statSync('/proc/self/ns/net').ino);
}

/** The control socket of the namespace whose /proc/…/ns/net inode is `ino`. */
export function socketPathOf(ino: number): string {
  return `${SOCKET_DIR}/net-${ino}.sock`;
}

/** The files a uvsd keeps in /run/uvs for the namespace `ino`: socket, lock, state and stats dumps. */
export function namespaceRunFiles(ino: number): string[] {
  const base = `${SOCKET_DIR}/net-${ino}`;
  return ['sock', 'lock', 'data', 'stats'].map((ext) => `${base}.${ext}`);
}

/** Where each namespace's uvsd keeps its connection table (tmpfs; see daemon/conn-table-file). */
export const CONN_TABLE_DIR = '/dev/shm/uvs';

/** The connection table file of the namespace whose /proc/…/ns/net inode is `ino`. */
export function connTableFile(ino: number, dir = CONN_TABLE_DIR): string {
  return `${dir}/net-${ino}.conns`;
}
