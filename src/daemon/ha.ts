// uvsd's high availability: the connection sync daemons (always there for uvsadm
// --start-daemon), and, from a keepalived.conf, the VRRP instances with their VRRP guard,
// ha_suspend of the virtual servers' checkers, and lvs_sync_daemon following its instance
// (master sends, backup receives).
import { RealClock, type Clock } from '../clock/clock.js';
import type { DirectorControl } from '../control/director-control.js';
import type { KeepalivedRunner } from '../keepalived/keepalived-runner.js';
import { runScript } from '../keepalived/managed-service.js';
import { VrrpGuard } from '../net/kernel-guard.js';
import { formatIpv4, formatMac } from '../packet/addr.js';
import { SyncDaemons } from '../sync/sync-daemons.js';
import type { SyncSink, SyncSource } from '../sync/sync-ports.js';
import type { ConnView } from '../engine/model.js';
import { execScript } from '../vrrp/track-script.js';
import { readKeepalivedConfig } from '../keepalived/config.js';
import { vrrpFromKeepalived } from '../vrrp/from-keepalived.js';
import { multicastMac6, VRRP_GROUP6 } from '../vrrp/vrrp-frame6.js';
import { VrrpRuntime } from '../vrrp/vrrp-runtime.js';
import type { LvsSyncDaemonSpec, VrrpConfig } from '../vrrp/vrrp-spec.js';
import type { Host } from './host.js';
import { HostVrrp, VrrpPcapLink, type VipGate } from './vrrp-wiring.js';

export type Log = (msg: string) => void;

export interface HaOptions {
  readonly director: DirectorControl;
  readonly host: Host;
  readonly gate: VipGate;
  readonly kernelGuard: boolean;
  readonly log: Log;
  readonly clock?: Clock;
}

/** What the sync daemons read from and write into: the engine's connection table. */
export interface SyncTable {
  readonly source: SyncSource;
  readonly sink: SyncSink;
  /** The connections learnt by sync, as -Lnc shows them. */
  readonly held: () => readonly ConnView[];
}

/** The sync daemons over the engine's connection table (conn-sync.ts). */
export function createSyncDaemons(o: HaOptions, table: SyncTable): SyncDaemons {
  const clock = o.clock ?? new RealClock();
  return new SyncDaemons({
    interfaceOf: (name) => {
      const i = o.host.interfaces.named(name);
      const addr = i?.addrs[0]?.addr;
      return i && addr !== undefined ? { addr: formatIpv4(addr), mtu: i.mtu } : undefined;
    },
    source: table.source,
    sink: table.sink,
    clock,
    log: (m) => o.log(`uvsd: IPVS: ${m}`),
    held: table.held,
  });
}

/** Reads the VRRP part of a keepalived.conf; undefined when it has no vrrp_instance. */
export function readVrrp(file: string, log: Log): VrrpConfig | undefined {
  const { config, warnings } = vrrpFromKeepalived(readKeepalivedConfig(file));
  for (const w of warnings) log(`uvsd: warning: ${w}`);
  return config.instances.length > 0 ? config : undefined;
}

/** lvs_sync_daemon: the master daemon while its instance is MASTER, the backup otherwise. */
function followSyncDaemon(
  spec: LvsSyncDaemonSpec,
  sync: SyncDaemons,
  log: Log,
): (to: string) => void {
  const request = (state: 'master' | 'backup') => ({
    state,
    mcastIfn: spec.interface,
    syncId: spec.syncId,
    maxlen: spec.maxlen ?? 0,
    group: spec.group !== undefined ? formatIpv4(spec.group) : '',
    port: spec.port ?? 0,
    ttl: spec.ttl ?? 0,
  });
  const stop = (state: 'master' | 'backup'): void => {
    if (sync.running(state)) sync.stopDaemon(state);
  };
  const start = (state: 'master' | 'backup'): void => {
    if (sync.running(state)) return;
    sync
      .startDaemon(request(state))
      .catch((err: Error) => log(`uvsd: lvs_sync_daemon: ${err.message}`));
  };
  return (to) => {
    if (to === 'MASTER') {
      stop('backup');
      start('master');
    } else if (to === 'STOP') {
      stop('master');
      stop('backup');
    } else {
      stop('master');
      start('backup');
    }
  };
}

export interface Vrrp {
  readonly runtime: VrrpRuntime;
  /** SIGTERM: priority 0 adverts, VIPs given back, guard removed. */
  shutdown(): void;
  /** Exit handler (synchronous): whatever VIP is still held, and the guard, go. */
  exit(): void;
}

/** Starts the VRRP instances of `config`. */
export async function startVrrp(
  config: VrrpConfig,
  o: HaOptions,
  sync: SyncDaemons,
  keepalived: KeepalivedRunner | undefined,
): Promise<Vrrp> {
  const clock = o.clock ?? new RealClock();
  const host = new HostVrrp(o.host, o.log, (line) => runScript(line, o.log));
  await host.init();
  const ifaces = [...new Set(config.instances.map((i) => i.interface))];
  const link = new VrrpPcapLink((name) => o.host.interfaces.named(name), ifaces);
  link.open();
  const groups6 = config.instances
    .filter((i) => i.family === 6 && i.unicastPeers.length === 0)
    .map((i) => `${i.interface} ${formatMac(multicastMac6(BigInt(i.mcastGroup ?? VRRP_GROUP6)))}`);
  for (const g of new Set(groups6)) host.joinGroup6(...(g.split(' ') as [string, string]));
  const runtime = new VrrpRuntime(config, {
    clock,
    link,
    host,
    ownership: o.gate,
    exec: execScript,
    log: (m) => o.log(`uvsd: VRRP: ${m}`),
  });
  const guard = new VrrpGuard();
  if (o.kernelGuard) await guard.apply(ifaces);
  keepalived?.setVrrpVips(runtime.managedVips(), runtime.heldVips());
  const lvs = config.lvsSyncDaemon;
  const lvsInstance = lvs && config.instances.find((i) => i.name === lvs.instance);
  const follow = lvs && lvsInstance ? followSyncDaemon(lvs, sync, o.log) : undefined;
  runtime.onStateChange((instance, _from, to) => {
    keepalived?.setVrrpVips(runtime.managedVips(), runtime.heldVips());
    if (instance === lvsInstance) follow?.(to);
  });
  runtime.start();
  return {
    runtime,
    shutdown: () => {
      runtime.shutdown();
      link.close();
      host.releaseAll();
      if (o.kernelGuard) guard.remove();
    },
    exit: () => {
      host.releaseAll();
      if (o.kernelGuard) guard.remove();
    },
  };
}
