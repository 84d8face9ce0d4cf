// The connection table lives in a file of /dev/shm (memory, gone at reboot) named after the
// network namespace, so that a uvsd restarted in the same namespace — after a crash, kill -9,
// an upgrade — finds its predecessor's connections and takes them over (conn-adoption.ts):
// established connections go on through the restart. `--no-restore` starts with an empty table.
// The table of a namespace that no longer exists is removed by the next uvsd that starts.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONN_TABLE_DIR, connTableFile } from '../control/socket-path.js';
import { EngineShared, persistentLayout } from '../engine/engine-shared.js';
import { mapShared } from '../io/afpacket/native.js';

/** This network namespace's connection table file. */
export function connTablePath(): string {
  return connTableFile(statSync('/proc/self/ns/net').ino);
}

/**
 * The engine's shared state over this namespace's table file: the previous uvsd's table left
 * for adoption when `keep` (EngineShared.found says whether there was one of the same size
 * and layout), else an empty one. Without a usable file (no /dev/shm, no permission) the table
 * is in anonymous memory and `log` says that connections will not survive a restart.
 */
export function openConnTable(
  capacity: number,
  now: number,
  keep: boolean,
  log: (msg: string) => void,
  path = connTablePath(),
): EngineShared {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    removeStaleTables(dirname(path));
    if (!keep) rmSync(path, { force: true });
    const bytes = persistentLayout(capacity).bytes;
    return EngineShared.create(capacity, now, mapShared(path, bytes), keep);
  } catch (err) {
    log(`uvsd: ${path}: ${(err as Error).message}; connections will not survive a restart`);
    return EngineShared.create(capacity, now);
  }
}

/** The inodes of the network namespaces alive on this host (processes' and named ones). */
function liveNamespaces(): Set<number> {
  const live = new Set<number>();
  const add = (p: string): void => {
    try {
      live.add(statSync(p).ino);
    } catch {
      // gone meanwhile
    }
  };
  for (const pid of readdirSync('/proc')) if (/^\d+$/.test(pid)) add(`/proc/${pid}/ns/net`);
  try {
    for (const name of readdirSync('/run/netns')) add(join('/run/netns', name));
  } catch {
    // no named namespaces
  }
  return live;
}

/**
 * Removes the tables of namespaces that are gone (a deleted namespace's table would otherwise
 * stay in memory until reboot). Only root sees every process's namespace, so only root does.
 */
export function removeStaleTables(dir = CONN_TABLE_DIR): void {
  if (process.getuid?.() !== 0) return;
  const live = liveNamespaces();
  for (const f of readdirSync(dir)) {
    const m = /^net-(\d+)\.conns$/.exec(f);
    if (m && !live.has(Number(m[1]))) rmSync(join(dir, f), { force: true });
  }
}
