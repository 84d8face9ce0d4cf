// What the VRRP runtime runs, from what the keepalived.conf reader read (keepalived/vrrp-model.ts,
// global_defs' lvs_sync_daemon): addresses as VrrpAddr (IPv4 uint32, IPv6 bigint), times in
// milliseconds. An instance's family is its addresses' (keepalived 2.2); IPv6 runs VRRP version
// 3 only. What keepalived can do and uvs's VRRP cannot (AH, version 2 over IPv6, `reverse`
// weights, sync-group tracking, virtual routes and rules) is a warning that names the place,
// and is left out.
import type { KeepalivedConfig } from '../keepalived/model.js';
import type {
  IpAddressSpec,
  NotifyScripts,
  TrackedInterface,
  TrackedScript,
  VrrpInstanceSpec as ReadInstance,
} from '../keepalived/vrrp-model.js';
import { parseIpv4 } from '../packet/addr.js';
import { parseVrrpAddr } from './vrrp-addr.js';
import { VRRP_GROUP6 } from './vrrp-frame6.js';
import { VRRP_GROUP } from './vrrp-packet.js';
import type {
  LvsSyncDaemonSpec,
  TrackedItem,
  VirtualAddress,
  VrrpConfig,
  VrrpInstanceSpec,
  VrrpScriptSpec,
  VrrpSyncGroupSpec,
} from './vrrp-spec.js';

export interface VrrpFromConfig {
  readonly config: VrrpConfig;
  /** `file:line: why` for each part left out. */
  readonly warnings: readonly string[];
}

const ms = (seconds: number): number => Math.round(seconds * 1000);
const at = (w: { readonly file: string; readonly line: number }): string => `${w.file}:${w.line}`;

function vipOf(a: IpAddressSpec): VirtualAddress {
  return {
    addr: parseVrrpAddr(a.ip),
    prefixLen: a.prefix,
    ...(a.dev !== undefined ? { dev: a.dev } : {}),
    text: `${a.ip}/${a.prefix}`,
  };
}

function tracked(
  items: readonly (TrackedInterface | TrackedScript)[],
  where: string,
  warn: (msg: string) => void,
): TrackedItem[] {
  return items.map((t) => {
    if (t.reverse)
      warn(`${where}: "reverse" weights are not supported by uvs; ${t.name}'s is taken as is`);
    return { name: t.name, weight: t.weight };
  });
}

function notifyOf(n: NotifyScripts): {
  notifyMaster?: string;
  notifyBackup?: string;
  notifyFault?: string;
  notifyStop?: string;
  notify?: string;
} {
  return {
    ...(n.master ? { notifyMaster: n.master.text } : {}),
    ...(n.backup ? { notifyBackup: n.backup.text } : {}),
    ...(n.fault ? { notifyFault: n.fault.text } : {}),
    ...(n.stop ? { notifyStop: n.stop.text } : {}),
    ...(n.any ? { notify: n.any.text } : {}),
  };
}

function instanceOf(i: ReadInstance, warn: (msg: string) => void): VrrpInstanceSpec | undefined {
  const where = `${at(i.where)}: vrrp_instance ${i.name}`;
  if (i.family === 6 && i.version === 2) {
    // keepalived 2.2 runs it, outside RFC 5798 (§5.2.1: IPv6 is version 3's); its strict mode
    // refuses it with these words.
    warn(`${where}: (${i.name}) cannot use IPv6 with VRRP version 2; the instance does not run`);
    return undefined;
  }
  if (i.authentication?.type === 'AH') {
    warn(`${where}: auth_type AH is not supported by uvs; the instance does not run`);
    return undefined;
  }
  if (i.virtualRoutes.length > 0 || i.virtualRules.length > 0)
    warn(`${where}: virtual_routes and virtual_rules are not applied by uvs`);
  const group = parseVrrpAddr(i.mcastGroup);
  return {
    name: i.name,
    interface: i.interface,
    vrid: i.virtualRouterId,
    priority: i.priority,
    advertIntMs: ms(i.advertInterval),
    version: i.version,
    ...(i.family === 6 ? { family: 6 as const } : {}),
    preempt: !i.nopreempt,
    preemptDelayMs: ms(i.preemptDelay),
    vips: i.virtualIpAddresses.filter((a) => a.family === i.family).map(vipOf),
    ...(i.authentication ? { authPass: i.authentication.password } : {}),
    ...(i.sourceIp !== undefined ? { unicastSrc: parseVrrpAddr(i.sourceIp) } : {}),
    unicastPeers: i.unicastPeers.map((p) => parseVrrpAddr(p.ip)),
    ...(group !== VRRP_GROUP && group !== VRRP_GROUP6 ? { mcastGroup: group } : {}),
    trackInterfaces: tracked(i.trackInterfaces, where, warn),
    trackScripts: tracked(i.trackScripts, where, warn),
    garpMasterDelayMs: ms(i.garpMasterDelay),
    garpMasterRepeat: i.garpMasterRepeat,
    garpMasterRefreshMs: ms(i.garpMasterRefresh),
    ...notifyOf(i.notify),
  };
}

/** The VRRP runtime's configuration in `config`, and what of it uvs leaves out. */
export function vrrpFromKeepalived(config: KeepalivedConfig): VrrpFromConfig {
  const warnings: string[] = [];
  const warn = (msg: string): void => void warnings.push(msg);
  const instances = config.vrrp.instances.flatMap((i) => instanceOf(i, warn) ?? []);
  const running = new Set(instances.map((i) => i.name));
  const scripts: VrrpScriptSpec[] = config.vrrp.scripts.map((s) => ({
    name: s.name,
    script: s.script.text,
    intervalMs: ms(s.interval),
    timeoutMs: ms(s.timeout),
    weight: s.weight,
    fall: s.fall,
    rise: s.rise,
    ...(s.initFail ? { initFail: true } : {}),
  }));
  const syncGroups: VrrpSyncGroupSpec[] = config.vrrp.syncGroups.map((g) => {
    if (g.trackInterfaces.length > 0 || g.trackScripts.length > 0)
      warn(`${at(g.where)}: vrrp_sync_group ${g.name}: group tracking is not supported by uvs`);
    return {
      name: g.name,
      members: g.instances.filter((m) => running.has(m)),
      ...notifyOf(g.notify),
    };
  });
  const lvs = config.global.lvsSyncDaemon;
  let lvsSyncDaemon: LvsSyncDaemonSpec | undefined;
  if (lvs && lvs.instance === undefined)
    warn(
      'lvs_sync_daemon names no VRRP instance: no sync daemon follows VRRP (use uvsadm --start-daemon)',
    );
  else if (lvs?.instance !== undefined && !running.has(lvs.instance))
    warn(`lvs_sync_daemon: VRRP instance ${lvs.instance} does not run in uvs`);
  else if (lvs?.instance !== undefined) {
    if (lvs.group?.includes(':'))
      warn(`lvs_sync_daemon: IPv6 group ${lvs.group} is not supported by uvs; 224.0.0.81 is used`);
    lvsSyncDaemon = {
      interface: lvs.interface,
      instance: lvs.instance,
      syncId: lvs.syncId,
      ...(lvs.maxlen !== undefined ? { maxlen: lvs.maxlen } : {}),
      ...(lvs.port !== undefined ? { port: lvs.port } : {}),
      ...(lvs.ttl !== undefined ? { ttl: lvs.ttl } : {}),
      ...(lvs.group !== undefined && !lvs.group.includes(':')
        ? { group: parseIpv4(lvs.group) }
        : {}),
    };
  }
  return {
    config: { instances, scripts, syncGroups, ...(lvsSyncDaemon ? { lvsSyncDaemon } : {}) },
    warnings,
  };
}
