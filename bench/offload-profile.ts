// Offloads of the bench's veth interfaces, set per path. The kernel's paths and HAProxy run
// with what the kernel gives a new veth ("default": checksum offload, TSO/GSO on), read from a
// probe pair rather than assumed. uvsd --io pcap needs them off on every peer ("off", what
// src/lab sets): a local sender's partial checksums and TSO super-frames reach libpcap as
// they are and cannot be forwarded (see src/net/offloads.ts).
import { nsExec, sh, shQuiet } from '../src/lab/shell.js';

export type OffloadProfile = 'default' | 'off';

/** ethtool -k's long names of the features a profile sets, with ethtool -K's short names. */
export const MANAGED_FEATURES: readonly (readonly [string, string])[] = [
  ['rx-checksumming', 'rx'],
  ['tx-checksumming', 'tx'],
  ['scatter-gather', 'sg'],
  ['tcp-segmentation-offload', 'tso'],
  ['generic-segmentation-offload', 'gso'],
  ['generic-receive-offload', 'gro'],
];

/** The managed features' states in `ethtool -k` output, as ethtool -K arguments (pure). */
export function featureArgs(ethtoolK: string): string[] {
  const args: string[] = [];
  for (const [long, short] of MANAGED_FEATURES) {
    const m = new RegExp(`^${long}:\\s+(on|off)`, 'm').exec(ethtoolK);
    if (m) args.push(short, m[1]!);
  }
  return args;
}

export const OFF_ARGS = ['tx', 'off', 'rx', 'off', 'tso', 'off', 'gso', 'off', 'gro', 'off'];

/** An interface in a namespace. */
export interface NsInterface {
  readonly ns: string;
  readonly ifName: string;
}

export class Offloads {
  private current: OffloadProfile | undefined;

  private constructor(
    private readonly ifaces: readonly NsInterface[],
    private readonly defaultArgs: readonly string[],
  ) {}

  /** Reads a new veth pair's features in `probeNs` (then deletes the pair). */
  static probe(probeNs: string, ifaces: readonly NsInterface[]): Offloads {
    sh('ip', ['-n', probeNs, 'link', 'add', 'bprobe0', 'type', 'veth', 'peer', 'name', 'bprobe1']);
    try {
      const args = featureArgs(nsExec(probeNs, 'ethtool', ['-k', 'bprobe0']));
      if (args.length === 0) throw new Error('ethtool -k shows none of the expected features');
      return new Offloads(ifaces, args);
    } finally {
      shQuiet('ip', ['-n', probeNs, 'link', 'del', 'bprobe0']);
    }
  }

  /** The default profile as ethtool -K arguments (for the report). */
  get defaults(): string {
    return this.defaultArgs.join(' ');
  }

  /**
   * Sets `profile` on every interface but those of `exceptNs` (uvsd's own, which it sets
   * itself); re-applied at each path's set-up since uvsd may have changed them.
   */
  apply(profile: OffloadProfile, exceptNs?: string): void {
    const args = profile === 'default' ? this.defaultArgs : OFF_ARGS;
    const ifaces = this.ifaces.filter((i) => i.ns !== exceptNs);
    // ethtool -K fails when nothing changes; the state is checked below, not the exit code.
    for (const i of ifaces)
      shQuiet('ip', ['netns', 'exec', i.ns, 'ethtool', '-K', i.ifName, ...args]);
    this.current = profile;
    const sample = ifaces[0];
    if (sample) {
      const got = featureArgs(nsExec(sample.ns, 'ethtool', ['-k', sample.ifName]));
      const want = new Map(pairs(args));
      for (const [k, v] of pairs(got))
        if (want.has(k) && want.get(k) !== v)
          throw new Error(`${sample.ns}/${sample.ifName}: offload ${k} stayed ${v}`);
    }
  }

  get profile(): OffloadProfile | undefined {
    return this.current;
  }
}

function pairs(args: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < args.length; i += 2) out.push([args[i]!, args[i + 1]!]);
  return out;
}

/** Every veth of the given namespaces (host interfaces and switch ports). */
export function vethsOf(namespaces: readonly string[]): NsInterface[] {
  const out: NsInterface[] = [];
  for (const ns of namespaces) {
    const text = sh('ip', ['-n', ns, '-o', 'link', 'show', 'type', 'veth']);
    for (const line of text.split('\n')) {
      const m = /^\d+:\s+([^@:\s]+)/.exec(line);
      if (m) out.push({ ns, ifName: m[1]! });
    }
  }
  return out;
}
