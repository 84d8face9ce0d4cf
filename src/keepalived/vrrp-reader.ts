// vrrp_script, vrrp_sync_group and the static_ipaddress / static_routes / static_rules
// blocks, as keyword tables (the instance is vrrp-instance-reader.ts).
import type { Where } from '../health/checker-spec.js';
import { readIpAddress, type InterfaceUse } from './ip-address-reader.js';
import { accepted, flag, keywordTable, readBlock, unsupported, type Keyword } from './keywords.js';
import type { Draft, Reader } from './reader.js';
import { readRoute, readRule } from './route-reader.js';
import { readScript } from './script-reader.js';
import { readTrackInterfaces, readTrackScripts } from './track-reader.js';
import type { Statement } from './tree.js';
import type {
  IpAddressSpec,
  NotifyScripts,
  RouteSpec,
  RuleSpec,
  ScriptSpec,
  VrrpScriptSpec,
  VrrpSyncGroupSpec,
} from './vrrp-model.js';

const UINT = 0xffffffff;

interface ScriptDraft extends Omit<Draft<VrrpScriptSpec>, 'script' | 'timeout'> {
  script?: ScriptSpec;
  timeout?: number;
  user?: { user: string; group?: string };
}

/** interval and timeout: whole seconds, 0 read as 1 with keepalived's complaint. */
const positiveSeconds = (field: 'interval' | 'timeout'): Keyword<ScriptDraft> => ({
  args: [1, 1],
  apply: (d, s, r) => {
    const v = r.int(s, 0, UINT);
    if (v === 0)
      r.warn(s, `(${d.name}): vrrp script ${field} must be greater than 0, setting to 1`);
    d[field] = Math.max(v, 1);
  },
});

const SCRIPT_TABLE = keywordTable<ScriptDraft>({
  script: { args: [1, Infinity], apply: (d, s, r) => (d.script = readScript(r, s, false)) },
  interval: positiveSeconds('interval'),
  timeout: positiveSeconds('timeout'),
  weight: {
    args: [1, 2],
    apply: (d, s, r) => {
      d.weight = r.int(s, -253, 253);
      if (s.args[1] !== undefined) {
        r.oneOf(s, ['reverse'], 2);
        d.weightReverse = true;
      }
    },
  },
  rise: { args: [1, 1], apply: (d, s, r) => (d.rise = r.int(s, 1, 0x7fffffff)) },
  fall: { args: [1, 1], apply: (d, s, r) => (d.fall = r.int(s, 1, 0x7fffffff)) },
  user: {
    args: [1, 2],
    apply: (d, s) => (d.user = { user: s.args[0]!, ...(s.args[1] ? { group: s.args[1] } : {}) }),
  },
  init_fail: flag('initFail'),
});

/** A vrrp_script; undefined (with keepalived's warning) when it has no script line. */
export function readVrrpScript(r: Reader, s: Statement): VrrpScriptSpec | undefined {
  const d: ScriptDraft = {
    where: { file: s.file, line: s.line },
    name: r.arg(s),
    interval: 1,
    weight: 0,
    weightReverse: false,
    rise: 1,
    fall: 1,
    initFail: false,
  };
  readBlock(r, SCRIPT_TABLE, r.block(s), d, `vrrp_script ${d.name}`);
  const { script, user, timeout, ...rest } = d;
  if (!script) {
    r.warnBlock(s, `No script set for vrrp_script ${d.name} - removing`);
    return undefined;
  }
  return Object.freeze({
    ...rest,
    script: user ? Object.freeze({ ...script, ...user }) : script,
    timeout: timeout ?? d.interval,
  });
}

export interface SyncGroupDraft {
  where: Where;
  name: string;
  /** Member names as written (checked against the instances once all are read). */
  members?: { name: string; s: Statement }[];
  notify: Draft<NotifyScripts>;
  smtpAlert: boolean;
  trackInterfaces: VrrpSyncGroupSpec['trackInterfaces'][number][];
  trackScripts: VrrpSyncGroupSpec['trackScripts'][number][];
}

export interface SyncGroupContext {
  readonly scripts: ReadonlyMap<string, VrrpScriptSpec>;
  readonly usedScripts: Set<string>;
  readonly useInterface: InterfaceUse;
}

interface GroupCtx {
  readonly d: SyncGroupDraft;
  readonly c: SyncGroupContext;
}

function groupNotify(which: keyof NotifyScripts): Keyword<GroupCtx> {
  return {
    args: [1, 3],
    apply: ({ d }, s, r) => {
      if (d.notify[which])
        r.warn(s, `vrrp group ${d.name}: ${s.keyword} script already specified - ignoring`);
      else d.notify[which] = readScript(r, s);
    },
  };
}

const GROUP_TABLE = keywordTable<GroupCtx>({
  group: {
    form: 'block',
    args: [0, 0],
    apply: ({ d }, s, r) => {
      if (d.members) return r.warn(s, `Group list already specified for sync group ${d.name}`);
      d.members = r.block(s).flatMap((k) => [k.keyword, ...k.args].map((name) => ({ name, s: k })));
      if (d.members.length === 0) r.warn(s, `Warning - sync group ${d.name} has empty group block`);
    },
  },
  notify_master: groupNotify('master'),
  notify_backup: groupNotify('backup'),
  notify_fault: groupNotify('fault'),
  notify_stop: groupNotify('stop'),
  notify: groupNotify('any'),
  smtp_alert: { args: [0, 1], apply: ({ d }, s, r) => (d.smtpAlert = r.bool(s)) },
  track_interface: {
    form: 'block',
    args: [0, 0],
    apply: ({ d, c }, s, r) =>
      d.trackInterfaces.push(...readTrackInterfaces(r, s, d.name, c.useInterface)),
  },
  track_script: {
    form: 'block',
    args: [0, 0],
    apply: ({ d, c }, s, r) =>
      d.trackScripts.push(...readTrackScripts(r, s, d.name, c.scripts, c.usedScripts)),
  },
  track_file: unsupported('block'),
  track_process: unsupported('block'),
  track_bfd: unsupported('block'),
  global_tracking: {
    args: [0, 0],
    apply: ({ d }, s, r) =>
      r.warn(
        s,
        `(${d.name}) global_tracking is deprecated. Use track_interface/script/file on the sync group`,
      ),
  },
  sync_group_tracking_weight: accepted('line'),
  notify_priority_changes: unsupported('line'),
});

export function readSyncGroup(r: Reader, s: Statement, c: SyncGroupContext): SyncGroupDraft {
  if (s.args.length !== 1) r.fail(s, 'vrrp_sync_group must have a name');
  const d: SyncGroupDraft = {
    where: { file: s.file, line: s.line },
    name: r.arg(s),
    notify: {},
    smtpAlert: false,
    trackInterfaces: [],
    trackScripts: [],
  };
  readBlock(r, GROUP_TABLE, r.block(s), { d, c }, `vrrp_sync_group ${d.name}`);
  return d;
}

export function readStaticAddresses(r: Reader, s: Statement, use: InterfaceUse): IpAddressSpec[] {
  return r.block(s).map((k) => readIpAddress(r, k, { isStatic: true, useInterface: use }));
}

export function readStaticRoutes(r: Reader, s: Statement, use: InterfaceUse): RouteSpec[] {
  return r.block(s).flatMap((k) => readRoute(r, k, use) ?? []);
}

export function readStaticRules(r: Reader, s: Statement, use: InterfaceUse): RuleSpec[] {
  return r.block(s).flatMap((k) => readRule(r, k, use) ?? []);
}
