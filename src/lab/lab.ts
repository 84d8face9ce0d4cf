// A maquette brought to life: its topology built in namespaces, web servers started, uvsd in
// the director, the course's commands run through uvsadm. Used by `uvs-lab` and the tests.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Maquette } from './maquette.js';
import { LabCommandError } from './shell.js';
import { Topology, type StartedProcess } from './topology.js';

/** The repository root (this file is dist/src/lab/lab.js). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const UVSD = join(REPO_ROOT, 'dist/src/bin/uvsd.js');
export const UVSADM = join(REPO_ROOT, 'dist/src/bin/uvsadm.js');
export const UVS_LAB = join(REPO_ROOT, 'dist/src/bin/uvs-lab.js');
export const UVS_TUN_ENDPOINT = join(REPO_ROOT, 'dist/src/bin/uvs-tun-endpoint.js');
const PROGRAMS = { 'uvs-tun-endpoint': UVS_TUN_ENDPOINT } as const;

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface LabOptions {
  /** Processes outlive this one (uvs-lab) and log to files in `logDir`. */
  readonly detached?: boolean;
  readonly logDir?: string;
  readonly progress?: (msg: string) => void;
  /** uvsd's control socket, given to uvsd and uvsadm (default: the namespace's). */
  readonly socket?: string;
  /**
   * The command that runs uvsd (default: node dist/src/bin/uvsd.js), e.g. behind setpriv to
   * start it as an unprivileged user with only CAP_NET_RAW and CAP_NET_ADMIN.
   */
  readonly uvsdCommand?: readonly string[];
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export class Lab {
  readonly topo: Topology;
  private readonly progress: (msg: string) => void;

  constructor(
    readonly maquette: Maquette,
    prefix: string,
    private readonly opts: LabOptions = {},
  ) {
    this.topo = new Topology(prefix);
    this.progress = opts.progress ?? (() => {});
  }

  ns(host: string): string {
    return this.topo.ns(host);
  }

  /** Builds LANs and hosts and starts the real servers' web servers. */
  build(): this {
    const m = this.maquette;
    rmSync(this.stateDir, { recursive: true, force: true });
    this.progress(`building maquette ${m.name}: ${m.description}`);
    this.topo.create();
    for (const lan of m.lans) this.topo.addLan(lan);
    for (const h of m.hosts) {
      this.progress(`  host ${this.ns(h.name)} (${h.role})`);
      this.topo.addHost(h.name);
      for (const i of h.ifaces) this.topo.plug(h.name, i.ifName, i.lan, i.addrs);
      if (h.gateway) this.topo.route(h.name, 'default', h.gateway);
      if (h.forwarding) this.topo.sysctl(h.name, 'net.ipv4.ip_forward', '1');
      for (const step of h.setup ?? []) {
        const [cmd, ...args] = step.argv;
        const r = this.run(h.name, cmd!, args, step.input);
        if (r.code !== 0)
          throw new LabCommandError(
            `${this.ns(h.name)}: ${step.argv.join(' ')}: ${r.stderr.trim()}`,
          );
      }
    }
    for (const h of m.hosts) if (h.page) this.startWebServer(h.name, 80, h.page, h.listen);
    for (const h of m.hosts) {
      for (const p of h.programs ?? [])
        this.startIn(h.name, p.program, process.execPath, [PROGRAMS[p.program], ...p.args]);
    }
    for (const h of m.hosts) if (h.page) this.waitForPort(h.name, 80);
    return this;
  }

  private spawnOpts(): { detached?: boolean } {
    return this.opts.detached ? { detached: true } : {};
  }

  /** The maquette's log file (detached labs): logDir/<maquette>.log. */
  get logFile(): string | undefined {
    return this.opts.logDir ? join(this.opts.logDir, `${this.maquette.name}.log`) : undefined;
  }

  /**
   * Starts a process in `host`; a detached lab's processes write their lines, stamped with
   * the time and "<namespace>/<name>", to the maquette's log (through `uvs-lab log-run`).
   */
  startIn(host: string, name: string, cmd: string, args: readonly string[]): StartedProcess {
    const log = this.logFile;
    if (this.opts.detached && log) {
      mkdirSync(dirname(log), { recursive: true });
      const fd = openSync(log, 'a');
      const tag = `${this.ns(host)}/${name}`;
      const wrapped = [UVS_LAB, 'log-run', '--file', log, '--tag', tag, '--', cmd, ...args];
      const p = this.topo.startLogged(host, process.execPath, wrapped, fd);
      closeSync(fd);
      return p;
    }
    return this.topo.start(host, cmd, args, this.spawnOpts());
  }

  private readonly webServers = new Map<string, StartedProcess>();

  startWebServer(host: string, port: number, text: string, listen?: string): StartedProcess {
    const p = this.startIn(host, `http${port}`, process.execPath, [
      UVS_LAB,
      'serve-http',
      '--port',
      String(port),
      '--text',
      text,
      ...(listen ? ['--host', listen] : []),
    ]);
    this.webServers.set(`${host}:${port}`, p);
    return p;
  }

  /** Stops the web server this lab started on `host`:`port` (the course's "stop S1's web server"). */
  async stopWebServer(host: string, port = 80): Promise<void> {
    const p = this.webServers.get(`${host}:${port}`);
    if (!p) throw new LabCommandError(`no web server started on ${host}:${port}`);
    this.webServers.delete(`${host}:${port}`);
    if (p.child.exitCode === null) {
      p.child.kill('SIGTERM');
      await new Promise((r) => p.child.once('exit', r));
    }
  }

  startUdpEcho(host: string, port: number, name: string): StartedProcess {
    return this.startIn(host, `udp${port}`, process.execPath, [
      UVS_LAB,
      'serve-udp-echo',
      '--port',
      String(port),
      '--name',
      name,
    ]);
  }

  /** Waits (bounded, 10 s) until something listens on TCP `port` in `host`. */
  waitForPort(host: string, port: number, proto: 'tcp' | 'udp' = 'tcp'): void {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const r = spawnSync(
        'ip',
        [
          'netns',
          'exec',
          this.ns(host),
          'ss',
          proto === 'tcp' ? '-Hltn' : '-Hlun',
          `sport = :${port}`,
        ],
        { encoding: 'utf8' },
      );
      if (r.status === 0 && r.stdout.trim() !== '') return;
      sleep(50);
    }
    throw new LabCommandError(
      `nothing listens on ${proto} port ${port} in ${this.ns(host)} after 10 s`,
    );
  }

  /**
   * Where the lab's uvsd keeps its rules: the lab's own, emptied when the maquette is built
   * and removed with it, so that a maquette never restores another one's rules.
   */
  get stateDir(): string {
    return join(tmpdir(), `uvs-lab-${this.topo.prefix}-state`);
  }

  /**
   * Starts uvsd in the director and waits (bounded) until uvsadm reaches it. UVS_LAB_UVSD_ARGS
   * (space-separated) adds options to every uvsd a lab starts: the test suite runs once as is and
   * once with `--workers 2`.
   */
  startDirector(args: readonly string[] = []): StartedProcess {
    this.progress(`starting uvsd in ${this.ns('director')}`);
    // A lab's uvsd starts with an empty table, as the course's steps (and the tests) expect,
    // unless asked for --restore.
    const own = [
      ...(args.includes('--state-dir') ? [] : ['--state-dir', this.stateDir]),
      ...(args.includes('--restore') || args.includes('--no-restore') ? [] : ['--no-restore']),
      ...(this.opts.socket !== undefined ? ['--socket', this.opts.socket] : []),
    ];
    const [cmd, ...cmdArgs] = this.opts.uvsdCommand ?? [process.execPath, UVSD];
    // The caller's options first: tools that find uvsd by its command line read them there.
    const p = this.startIn('director', 'uvsd', cmd!, [
      ...cmdArgs,
      ...args,
      ...own,
      ...extraUvsdArgs(args),
    ]);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.uvsadm(['-Ln']).code === 0) return p;
      if (p.child.exitCode !== null) break;
      sleep(100);
    }
    throw new LabCommandError(
      `uvsd did not answer uvsadm in ${this.ns('director')}: ${p.output()}`,
    );
  }

  /** Runs `uvsadm args` in the director's namespace. */
  uvsadm(args: readonly string[], input?: string): RunResult {
    const socket = this.opts.socket !== undefined ? ['--socket', this.opts.socket] : [];
    return this.run('director', process.execPath, [UVSADM, ...socket, ...args], input);
  }

  /** Runs the course's commands for this maquette. */
  configure(): void {
    for (const c of this.maquette.commands) {
      this.progress(`  uvsadm ${c.join(' ')}`);
      const r = this.uvsadm(c);
      if (r.code !== 0)
        throw new LabCommandError(`uvsadm ${c.join(' ')} failed: ${r.stderr.trim()}`);
    }
  }

  run(host: string, cmd: string, args: readonly string[], input?: string): RunResult {
    const r = spawnSync('ip', ['netns', 'exec', this.ns(host), cmd, ...args], {
      input: input ?? '',
      encoding: 'utf8',
      timeout: 60_000,
    });
    // When the command cannot be started, there is no output at all, whatever the types say.
    const out = r.stdout as string | null;
    const err = r.stderr as string | null;
    return { code: r.status ?? 1, stdout: out ?? '', stderr: err ?? r.error?.message ?? '' };
  }

  /** One HTTP GET from `host` (curl, bounded by `timeoutS`). */
  curl(host: string, url: string, timeoutS = 3): RunResult {
    return this.run(host, 'curl', ['-sS', '--max-time', String(timeoutS), url]);
  }

  destroy(): void {
    this.topo.destroy();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** UVS_LAB_UVSD_ARGS ("--flag value …"), but for the flags the caller gave itself. */
function extraUvsdArgs(given: readonly string[]): string[] {
  const words = (process.env['UVS_LAB_UVSD_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const flag = words[i]!;
    const value =
      words[i + 1] !== undefined && !words[i + 1]!.startsWith('--') ? words[++i] : undefined;
    if (given.includes(flag)) continue;
    out.push(flag, ...(value !== undefined ? [value] : []));
  }
  return out;
}
