// The VRRP checks that need the whole file, as keepalived's vrrp_complete_init makes them:
// sync group members, VRIDs that collide on a link, the instance lvs_sync_daemon follows,
// scripts nobody tracks. Instances are completed here with the global defaults.
import type { GlobalDefs, LvsSyncDaemonSpec } from './global-model.js';
import { omit, type Reader } from './reader.js';
import type { Statement } from './tree.js';
import { completeInstance } from './vrrp-complete.js';
import type { InstanceDraft } from './vrrp-instance-reader.js';
import type {
  VrrpConfig,
  VrrpInstanceSpec,
  VrrpScriptSpec,
  VrrpSyncGroupSpec,
} from './vrrp-model.js';
import type { SyncGroupDraft } from './vrrp-reader.js';

export interface VrrpRead {
  readonly instances: readonly { readonly s: Statement; readonly d: InstanceDraft }[];
  readonly syncGroups: readonly { readonly s: Statement; readonly d: SyncGroupDraft }[];
  readonly scripts: ReadonlyMap<string, VrrpScriptSpec & { readonly s: Statement }>;
  readonly usedScripts: ReadonlySet<string>;
  readonly statics: Pick<VrrpConfig, 'staticIpAddresses' | 'staticRoutes' | 'staticRules'>;
}

function syncGroups(r: Reader, v: VrrpRead, names: Set<string>): Map<string, VrrpSyncGroupSpec> {
  const out = new Map<string, VrrpSyncGroupSpec>();
  const member = new Map<string, string>();
  for (const { s, d } of v.syncGroups) {
    if (!d.members) {
      r.warnBlock(s, `Sync group ${d.name} has no virtual router(s). removing`);
      continue;
    }
    const instances: string[] = [];
    for (const m of d.members) {
      if (!names.has(m.name))
        r.warn(
          m.s,
          `Virtual router ${m.name} specified in sync group ${d.name} doesn't exist - ignoring`,
        );
      else if (member.has(m.name))
        r.warn(
          m.s,
          `Virtual router ${m.name} cannot exist in more than one sync group; ignoring ${d.name}`,
        );
      else {
        instances.push(m.name);
        member.set(m.name, d.name);
      }
    }
    if (instances.length === 0) {
      r.warnBlock(
        s,
        `Sync group ${d.name}, no matching virtual router found in group declaration - removing`,
      );
      continue;
    }
    if (instances.length === 1)
      r.warnBlock(
        s,
        `Sync group ${d.name} has only 1 virtual router(s) - this probably isn't what you want`,
      );
    const rest = omit(d, 'members');
    out.set(d.name, Object.freeze({ ...rest, instances: Object.freeze(instances) }));
  }
  return out;
}

/** keepalived's check_vrid_conflicts: one VRID per family and link (and multicast group). */
function vridConflicts(r: Reader, list: readonly { s: Statement; spec: VrrpInstanceSpec }[]): void {
  list.forEach((a, i) => {
    for (const b of list.slice(i + 1)) {
      const x = a.spec;
      const y = b.spec;
      if (x.family !== y.family || x.virtualRouterId !== y.virtualRouterId) continue;
      const xu = x.unicastPeers.length > 0;
      if (xu !== y.unicastPeers.length > 0) continue;
      if (x.interface !== y.interface) continue;
      if (xu) {
        const shared = x.unicastPeers.some((p) => y.unicastPeers.some((q) => q.ip === p.ip));
        if (shared && x.sourceIp === y.sourceIp)
          r.fail(
            b.s,
            `(${y.name}) duplicate VRID conflict with ${x.name} VRID ${x.virtualRouterId}`,
          );
      } else if (x.mcastGroup === y.mcastGroup) {
        r.fail(
          b.s,
          `${x.name} and ${y.name} both use VRID ${x.virtualRouterId} with IPv${x.family} on interface ${x.interface}`,
        );
      }
    }
  });
}

/** lvs_sync_daemon's instance must exist; its sync id defaults to that instance's VRID. */
function syncDaemon(
  r: Reader,
  g: GlobalDefs,
  syncIdSet: boolean,
  instances: readonly { s: Statement; d: InstanceDraft; spec: VrrpInstanceSpec }[],
  where: Statement | undefined,
): LvsSyncDaemonSpec | undefined {
  let spec = g.lvsSyncDaemon;
  for (const { s, d } of instances) {
    if (d.legacySyncInterface === undefined) continue;
    if (spec)
      r.warn(
        s,
        `(${d.name}) lvs_sync_daemon_interface has already been specified as ${spec.interface} - ignoring`,
      );
    else spec = { interface: d.legacySyncInterface, instance: d.name, syncId: 0 };
  }
  if (!spec?.instance) return spec;
  const inst = instances.find((i) => i.d.name === spec.instance);
  if (!inst) {
    if (where)
      r.warn(
        where,
        `Unable to find vrrp instance ${spec.instance} for lvs_syncd - clearing lvs_syncd config`,
      );
    return undefined;
  }
  return syncIdSet ? spec : { ...spec, syncId: inst.spec.virtualRouterId };
}

export interface VrrpResult {
  readonly vrrp: VrrpConfig;
  readonly lvsSyncDaemon?: LvsSyncDaemonSpec;
}

export function finishVrrp(
  r: Reader,
  v: VrrpRead,
  g: GlobalDefs,
  syncIdSet: boolean,
  syncDaemonWhere: Statement | undefined,
): VrrpResult {
  const completed = v.instances.map(({ s, d }) => ({ s, d, spec: completeInstance(r, s, d, g) }));
  const groups = syncGroups(r, v, new Set(completed.map((c) => c.d.name)));
  vridConflicts(r, completed);
  const instances = completed.map(({ spec }) => {
    const group = [...groups.values()].find((sg) => sg.instances.includes(spec.name));
    return group ? Object.freeze({ ...spec, syncGroup: group.name }) : spec;
  });
  const scripts = [...v.scripts.values()].filter(({ s, name }) => {
    if (!v.usedScripts.has(name)) r.warnBlock(s, `Warning - script ${name} is not used`);
    return v.usedScripts.has(name);
  });
  const lvsSyncDaemon = syncDaemon(r, g, syncIdSet, completed, syncDaemonWhere);
  return {
    vrrp: Object.freeze({
      instances: Object.freeze(instances),
      scripts: Object.freeze(scripts.map(({ s: _s, ...spec }) => Object.freeze(spec))),
      syncGroups: Object.freeze([...groups.values()]),
      ...v.statics,
    }),
    ...(lvsSyncDaemon ? { lvsSyncDaemon } : {}),
  };
}
