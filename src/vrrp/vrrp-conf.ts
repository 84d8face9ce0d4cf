// The VRRP parts of keepalived.conf (vrrp_instance, vrrp_script, vrrp_sync_group, and
// global_defs' vrrp_version, vrrp_garp_* and lvs_sync_daemon) read into a VrrpConfig, as
// keepalived 2.2 reads them: errors name file:line and nothing runs; keywords of no effect
// here are warnings. Reads the same statement tree as the virtual-server reader.
import { ConfigError, lexConfig, lexConfigText } from '../keepalived/lexer.js';
import { parseTree, type Statement } from '../keepalived/tree.js';
import { Ctx } from './vrrp-conf-reader.js';
import { readInstance } from './vrrp-conf-instance.js';
import type { VrrpVersion } from './vrrp-packet.js';
import {
  VRRP_DEFAULTS,
  type LvsSyncDaemonSpec,
  type VrrpConfig,
  type VrrpInstanceSpec,
  type VrrpScriptSpec,
  type VrrpSyncGroupSpec,
} from './vrrp-spec.js';

export interface VrrpConfigResult extends VrrpConfig {
  readonly warnings: readonly string[];
}

interface Globals {
  version: VrrpVersion;
  garpDelayMs: number;
  garpRepeat: number;
  garpRefreshMs: number;
  lvsSyncDaemon?: LvsSyncDaemonSpec;
  syncDaemonWhere?: Statement;
}

function readGlobals(c: Ctx, s: Statement, g: Globals): void {
  for (const k of c.block(s)) {
    switch (k.keyword) {
      case 'vrrp_version':
        g.version = c.int(k, 2, 3) as VrrpVersion;
        break;
      case 'vrrp_garp_master_delay':
        g.garpDelayMs = c.int(k, 0, 255) * 1000;
        break;
      case 'vrrp_garp_master_repeat':
        g.garpRepeat = c.int(k, 1, 255);
        break;
      case 'vrrp_garp_master_refresh':
        g.garpRefreshMs = c.int(k, 0, 86400) * 1000;
        break;
      case 'lvs_sync_daemon':
        g.lvsSyncDaemon = readLvsSyncDaemon(c, k);
        g.syncDaemonWhere = k;
        break;
      default:
        break; // the virtual-server reader owns the other global_defs keywords
    }
  }
}

/** lvs_sync_daemon INTERFACE VRRP_INSTANCE [id N] [maxlen N] [port N] [ttl N] [group IP] */
function readLvsSyncDaemon(c: Ctx, s: Statement): LvsSyncDaemonSpec {
  const spec: { -readonly [K in keyof LvsSyncDaemonSpec]: LvsSyncDaemonSpec[K] } = {
    interface: c.arg(s, 1),
    instance: c.arg(s, 2),
  };
  for (let n = 3; n <= s.args.length; n += 2) {
    const word = s.args[n - 1]!;
    switch (word) {
      case 'id':
        spec.syncId = c.int(s, 0, 255, n + 1);
        break;
      case 'maxlen':
        spec.maxlen = c.int(s, 1, 65507, n + 1);
        break;
      case 'port':
        spec.port = c.int(s, 1, 65535, n + 1);
        break;
      case 'ttl':
        spec.ttl = c.int(s, 1, 255, n + 1);
        break;
      case 'group':
        spec.group = c.ip(s, c.arg(s, n + 1));
        break;
      default:
        c.fail(s, `lvs_sync_daemon: unknown option "${word}" (id, maxlen, port, ttl, group)`);
    }
  }
  return spec;
}

function readScript(c: Ctx, s: Statement): VrrpScriptSpec {
  const name = c.arg(s);
  let script: string | undefined;
  let intervalMs: number = VRRP_DEFAULTS.scriptIntervalMs;
  let timeoutMs: number | undefined;
  let weight = 0;
  let fall: number = VRRP_DEFAULTS.fall;
  let rise: number = VRRP_DEFAULTS.rise;
  for (const k of c.block(s)) {
    switch (k.keyword) {
      case 'script':
        script = k.args.join(' ');
        if (script === '') c.fail(k, 'script needs a command');
        break;
      case 'interval':
        intervalMs = c.ms(k);
        break;
      case 'timeout':
        timeoutMs = c.ms(k);
        break;
      case 'weight':
        weight = c.int(k, -253, 253);
        break;
      case 'fall':
        fall = c.int(k, 1, 1000);
        break;
      case 'rise':
        rise = c.int(k, 1, 1000);
        break;
      case 'user':
      case 'init_fail':
        c.warn(k, `${k.keyword} is not supported by uvs; ignored`);
        break;
      default:
        c.warn(k, `unknown keyword "${k.keyword}" in vrrp_script; ignored`);
    }
  }
  if (script === undefined) c.fail(s, `vrrp_script ${name} has no script`);
  // keepalived: a script's timeout defaults to its interval.
  return { name, script, intervalMs, timeoutMs: timeoutMs ?? intervalMs, weight, fall, rise };
}

function readSyncGroup(c: Ctx, s: Statement): VrrpSyncGroupSpec & { where: Statement } {
  const g: { -readonly [K in keyof VrrpSyncGroupSpec]: VrrpSyncGroupSpec[K] } = {
    name: c.arg(s),
    members: [],
  };
  for (const k of c.block(s)) {
    switch (k.keyword) {
      case 'group':
        g.members = c.items(k).map(({ words }) => words[0]!);
        break;
      case 'notify_master':
        g.notifyMaster = k.args.join(' ');
        break;
      case 'notify_backup':
        g.notifyBackup = k.args.join(' ');
        break;
      case 'notify_fault':
        g.notifyFault = k.args.join(' ');
        break;
      case 'notify':
        g.notify = k.args.join(' ');
        break;
      case 'smtp_alert':
      case 'global_tracking':
      case 'sync_group_tracking_weight':
        c.warn(k, `${k.keyword} has no effect in uvs; ignored`);
        break;
      default:
        c.warn(k, `unknown keyword "${k.keyword}" in vrrp_sync_group; ignored`);
    }
  }
  if (g.members.length === 0)
    c.fail(s, `vrrp_sync_group ${g.name} has no group { … } of instances`);
  return { ...g, where: s };
}

/** Cross-block rules: unique names and VRIDs per interface, groups and sync daemon exist. */
function checkAll(
  c: Ctx,
  instances: readonly (VrrpInstanceSpec & { where: Statement })[],
  groups: readonly (VrrpSyncGroupSpec & { where: Statement })[],
  g: Globals,
): void {
  const seen = new Map<string, VrrpInstanceSpec>();
  for (const i of instances) {
    if (seen.has(i.name)) c.fail(i.where, `vrrp_instance ${i.name} is defined twice`);
    const same = instances.find(
      (o) =>
        o !== i &&
        o.interface === i.interface &&
        o.vrid === i.vrid &&
        instances.indexOf(o) < instances.indexOf(i),
    );
    if (same)
      c.fail(
        i.where,
        `vrrp_instance ${i.name}: virtual_router_id ${i.vrid} on ${i.interface} is already ${same.name}'s`,
      );
    seen.set(i.name, i);
  }
  const grouped = new Set<string>();
  for (const grp of groups) {
    for (const m of grp.members) {
      if (!seen.has(m))
        c.fail(grp.where, `vrrp_sync_group ${grp.name}: no vrrp_instance named "${m}"`);
      if (grouped.has(m))
        c.fail(grp.where, `vrrp_sync_group ${grp.name}: ${m} is already in a sync group`);
      grouped.add(m);
    }
  }
  if (g.lvsSyncDaemon && !seen.has(g.lvsSyncDaemon.instance))
    c.fail(
      g.syncDaemonWhere!,
      `lvs_sync_daemon: no vrrp_instance named "${g.lvsSyncDaemon.instance}"`,
    );
}

function interpret(statements: readonly Statement[]): VrrpConfigResult {
  const c = new Ctx();
  const g: Globals = {
    version: 2,
    garpDelayMs: VRRP_DEFAULTS.garpMasterDelayMs,
    garpRepeat: VRRP_DEFAULTS.garpMasterRepeat,
    garpRefreshMs: 0,
  };
  for (const s of statements) if (s.keyword === 'global_defs') readGlobals(c, s, g);
  // vrrp_script blocks first: instances may name them before they are written.
  const scripts = new Map<string, VrrpScriptSpec>();
  for (const s of statements) {
    if (s.keyword !== 'vrrp_script') continue;
    const sc = readScript(c, s);
    if (scripts.has(sc.name)) c.fail(s, `vrrp_script ${sc.name} is defined twice`);
    scripts.set(sc.name, sc);
  }
  const instances: (VrrpInstanceSpec & { where: Statement })[] = [];
  const groups: (VrrpSyncGroupSpec & { where: Statement })[] = [];
  for (const s of statements) {
    if (s.keyword === 'vrrp_instance')
      instances.push({ ...readInstance(c, s, g, scripts), where: s });
    else if (s.keyword === 'vrrp_sync_group') groups.push(readSyncGroup(c, s));
  }
  checkAll(c, instances, groups, g);
  const strip = <T extends { where: Statement }>({ where: _where, ...rest }: T): Omit<T, 'where'> =>
    rest;
  return {
    instances: instances.map(strip),
    scripts: [...scripts.values()],
    syncGroups: groups.map(strip),
    ...(g.lvsSyncDaemon ? { lvsSyncDaemon: g.lvsSyncDaemon } : {}),
    warnings: c.warnings,
  };
}

export function readVrrpConfig(file: string): VrrpConfigResult {
  return interpret(parseTree(lexConfig(file)));
}

export function parseVrrpText(text: string, file = 'keepalived.conf'): VrrpConfigResult {
  return interpret(parseTree(lexConfigText(text, file)));
}

export { ConfigError };
