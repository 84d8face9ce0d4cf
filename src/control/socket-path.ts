// The control socket belongs to the network namespace, as the kernel's IPVS table does:
// `ip netns exec X uvsadm -Ln` reaches the uvsd of namespace X with no flag.
import { statSync } from 'node:fs';

export const SOCKET_DIR = '/run/uvs';

/** /run/uvs/<inode of this process's network namespace>.sock */
export function defaultSocketPath(): string {
  const ino = statSync('/proc/self/ns/net').ino;
  return `${SOCKET_DIR}/net-${ino}.sock`;
}

/** Where each namespace's uvsd keeps its connection table (tmpfs; see daemon/conn-table-file). */
export const CONN_TABLE_DIR = '/dev/shm/uvs';

/** The connection table file of the namespace whose /proc/…/ns/net inode is `ino`. */
export function connTableFile(ino: number, dir = CONN_TABLE_DIR): string {
  return `${dir}/net-${ino}.conns`;
}
