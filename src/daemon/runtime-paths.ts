// Where uvsd keeps its run-time files: everything is keyed by the network namespace (the
// inode of /proc/self/ns/net), as the control socket is, so that one uvsd per namespace finds
// its own files and several namespaces' directors coexist on one host.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Persistent state (the rules kept across restarts), one folder per network namespace. */
export const STATE_DIR = '/var/lib/uvs';

/** "net-<inode>": the name of this process's network namespace in uvs's file names. */
export function netnsKey(): string {
  return `net-${statSync('/proc/self/ns/net').ino}`;
}

/** The rules file: `<stateDir>/rules`, stateDir defaulting to /var/lib/uvs/<stateKey()>. */
export function rulesPath(stateDir: string | undefined): string {
  return join(stateDir ?? join(STATE_DIR, stateKey()), 'rules');
}

/**
 * The state directory's name for this namespace: its name when `ip netns` named it (stable
 * across a re-creation, as uvsd@NAME.service wants), else net-<inode> (the root namespace's
 * inode is fixed; another unnamed namespace's inode may be reused by a later one: give such a
 * uvsd --state-dir).
 */
export function stateKey(netnsDir = '/run/netns'): string {
  const self = statSync('/proc/self/ns/net');
  try {
    for (const name of readdirSync(netnsDir)) {
      try {
        const st = statSync(join(netnsDir, name));
        if (st.ino === self.ino && st.dev === self.dev) return name;
      } catch {
        // a namespace being deleted
      }
    }
  } catch {
    // no named namespaces on this host
  }
  return `net-${self.ino}`;
}
