// Builds hosts and LANs in network namespaces: each host a namespace, each LAN a bridge in
// the topology's own "switch" namespace (nothing is left in the root namespace), veth pairs
// between them, the switch's port of each named after its host and interface ("s1-eth0").
// Offloads stay as veth has them by default (TSO, GSO, checksum offload on), as on
// a real host: the director takes GSO super-frames and partial checksums whole (AF_PACKET).
// destroy() kills every process in the namespaces and deletes them, by name; it is
// idempotent and safe in after() hooks and signal handlers.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { connTableFile, namespaceRunFiles } from '../control/socket-path.js';
import { LabCommandError, nsExec, sh, shQuiet } from './shell.js';

export interface StartedProcess {
  readonly child: ChildProcess;
  readonly ns: string;
  output(): string;
}

export class Topology {
  readonly switchNs: string;
  private readonly namespaces: string[] = [];
  private readonly processes: StartedProcess[] = [];
  /** Switch-side port of each plugged host interface, by "host/ifName". */
  private readonly ports = new Map<string, string>();

  constructor(readonly prefix: string) {
    this.switchNs = `${prefix}-sw`;
  }

  ns(host: string): string {
    return `${this.prefix}-${host}`;
  }

  /** Creates the switch namespace; call first. */
  create(): this {
    this.addNamespace(this.switchNs);
    // A LAN is a plain switch: with br_netfilter loaded on the host, bridged IPv4 would go
    // through netfilter, which validates headers and drops malformed frames on the way.
    for (const family of ['iptables', 'ip6tables', 'arptables']) {
      shQuiet('ip', [
        'netns',
        'exec',
        this.switchNs,
        'sysctl',
        '-qw',
        `net.bridge.bridge-nf-call-${family}=0`,
      ]);
    }
    return this;
  }

  private addNamespace(name: string): void {
    if (existsSync(`/run/netns/${name}`)) shQuiet('ip', ['netns', 'del', name]);
    sh('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  }

  addHost(host: string): string {
    const ns = this.ns(host);
    this.addNamespace(ns);
    return ns;
  }

  addLan(lan: string): void {
    sh('ip', ['-n', this.switchNs, 'link', 'add', lan, 'type', 'bridge']);
    sh('ip', ['-n', this.switchNs, 'link', 'set', lan, 'up']);
  }

  /** Plugs `host`'s interface `ifName` into `lan`, with addresses "a.b.c.d/len" or "2001:db8::1/64". */
  plug(host: string, ifName: string, lan: string, addrs: readonly string[]): void {
    const ns = this.ns(host);
    const port = portName(host, ifName);
    this.ports.set(`${host}/${ifName}`, port);
    sh('ip', [
      'link',
      'add',
      ifName,
      'netns',
      ns,
      'type',
      'veth',
      'peer',
      'name',
      port,
      'netns',
      this.switchNs,
    ]);
    sh('ip', ['-n', this.switchNs, 'link', 'set', port, 'master', lan]);
    sh('ip', ['-n', this.switchNs, 'link', 'set', port, 'up']);
    // IPv6 addresses skip duplicate address detection: usable at once, as IPv4 ones are.
    for (const a of addrs)
      sh('ip', ['-n', ns, 'addr', 'add', a, 'dev', ifName, ...(a.includes(':') ? ['nodad'] : [])]);
    sh('ip', ['-n', ns, 'link', 'set', ifName, 'up']);
  }

  route(host: string, dst: string, via: string): void {
    sh('ip', ['-n', this.ns(host), 'route', 'replace', dst, 'via', via]);
  }

  sysctl(host: string, key: string, value: string): void {
    nsExec(this.ns(host), 'sysctl', ['-qw', `${key}=${value}`]);
  }

  /** Sets the MTU of a host's interface and of its switch port (a LAN segment's MTU). */
  mtu(host: string, ifName: string, mtu: number): void {
    const port = this.ports.get(`${host}/${ifName}`);
    if (!port) throw new LabCommandError(`${host} has no interface ${ifName} plugged into a LAN`);
    sh('ip', ['-n', this.switchNs, 'link', 'set', port, 'mtu', String(mtu)]);
    sh('ip', ['-n', this.ns(host), 'link', 'set', ifName, 'mtu', String(mtu)]);
  }

  /**
   * Pulls (or plugs back) the cable of a host's interface — the course's "disconnect the
   * network card": the switch port goes down, the host keeps its addresses and routes.
   */
  cable(host: string, ifName: string, plugged: boolean): void {
    const port = this.ports.get(`${host}/${ifName}`);
    if (!port) throw new LabCommandError(`${host} has no interface ${ifName} plugged into a LAN`);
    sh('ip', ['-n', this.switchNs, 'link', 'set', port, plugged ? 'up' : 'down']);
  }

  /** Starts `cmd` in `host`'s namespace, tracked for destroy(). */
  start(
    host: string,
    cmd: string,
    args: readonly string[],
    opts: { detached?: boolean } = {},
  ): StartedProcess {
    const ns = this.ns(host);
    let out = '';
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
      stdio: opts.detached ? 'ignore' : ['ignore', 'pipe', 'pipe'],
      detached: opts.detached === true,
    });
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e) => (out += `spawn error: ${e.message}\n`));
    if (opts.detached) child.unref();
    const p = { child, ns, output: () => out };
    this.processes.push(p);
    return p;
  }

  /** Starts a detached `cmd` in `host` whose output goes to file descriptor `fd`. */
  startLogged(host: string, cmd: string, args: readonly string[], fd: number): StartedProcess {
    const ns = this.ns(host);
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    child.unref();
    const p = { child, ns, output: () => '' };
    this.processes.push(p);
    return p;
  }

  /** Kills every process of the namespaces and deletes them. Idempotent. */
  destroy(): void {
    for (const p of this.processes) if (p.child.exitCode === null) p.child.kill('SIGTERM');
    destroyByPrefixList(this.namespaces);
    this.namespaces.length = 0;
  }
}

/**
 * The switch-side port of a host's interface, named after it ("s1-eth0"), so that the
 * course's « pull S1's cable » is `ip -n uvs-sw link set s1-eth0 down`.
 */
export function portName(host: string, ifName: string): string {
  const name = `${host}-${ifName}`;
  if (name.length > 15)
    throw new LabCommandError(`switch port name "${name}" is longer than 15 characters`);
  return name;
}

/** Kills the processes inside each namespace (SIGTERM, then SIGKILL) and deletes it. */
export function destroyByPrefixList(namespaces: readonly string[]): void {
  for (const ns of namespaces) killNamespaceProcesses(ns, 'TERM');
  const deadline = Date.now() + 2000;
  for (const ns of namespaces) {
    while (Date.now() < deadline && namespacePids(ns).length > 0) sh('sleep', ['0.05']);
    killNamespaceProcesses(ns, 'KILL');
    removeNamespaceFiles(ns);
    shQuiet('ip', ['netns', 'del', ns]);
  }
}

/**
 * What a uvsd of `ns` left behind (the connection table kept for a successor, and the socket, lock
 * and dump files of one killed with -9): no successor will come, and the kernel reuses the
 * namespace's inode, which names these files, for a later namespace.
 */
function removeNamespaceFiles(ns: string): void {
  try {
    const ino = statSync(`/run/netns/${ns}`).ino;
    rmSync(connTableFile(ino), { force: true });
    for (const f of namespaceRunFiles(ino)) rmSync(f, { force: true });
  } catch {
    // no such namespace
  }
}

function namespacePids(ns: string): string[] {
  try {
    return sh('ip', ['netns', 'pids', ns])
      .split('\n')
      .filter((p) => p !== '');
  } catch {
    return [];
  }
}

function killNamespaceProcesses(ns: string, signal: 'TERM' | 'KILL'): void {
  const pids = namespacePids(ns);
  if (pids.length > 0) shQuiet('kill', [`-${signal}`, ...pids]);
}

/** Namespaces whose names start with `prefix-`. */
export function namespacesWithPrefix(prefix: string): string[] {
  const out = sh('ip', ['netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${prefix}-`));
}
