// One vrrp_instance block, as keepalived 2.2 reads it.
import type { Statement } from '../keepalived/tree.js';
import { Ctx, readTracked, readVips } from './vrrp-conf-reader.js';
import { PRIORITY_OWNER, type VrrpVersion } from './vrrp-packet.js';
import { VRRP_DEFAULTS, type VrrpInstanceSpec, type VrrpScriptSpec } from './vrrp-spec.js';

/** Keywords keepalived accepts that change nothing in uvs. */
const NO_EFFECT = new Set([
  'dont_track_primary',
  'smtp_alert',
  'debug',
  'use_vmac',
  'vmac_xmit_base',
  'native_ipv6',
  'accept',
  'no_accept',
  'strict_mode',
  'garp_lower_prio_delay',
  'garp_lower_prio_repeat',
  'lower_prio_no_advert',
  'higher_prio_send_advert',
  'skip_check_adv_addr',
  'virtual_routes',
  'virtual_rules',
  'virtual_ipaddress_excluded',
]);

export interface InstanceDefaults {
  readonly version: VrrpVersion;
  readonly garpDelayMs: number;
  readonly garpRepeat: number;
  readonly garpRefreshMs: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function readAuth(c: Ctx, s: Statement): string {
  let type: string | undefined;
  let pass: string | undefined;
  for (const k of c.block(s)) {
    if (k.keyword === 'auth_type') type = c.arg(k);
    else if (k.keyword === 'auth_pass') pass = c.arg(k);
    else c.warn(k, `unknown keyword "${k.keyword}" in authentication; ignored`);
  }
  if (type === 'AH') c.fail(s, 'auth_type AH is not supported by uvs (use PASS, or none)');
  if (type !== 'PASS') c.fail(s, `auth_type "${type ?? ''}" (expected PASS)`);
  if (pass === undefined) c.fail(s, 'authentication PASS needs auth_pass');
  return pass;
}

/** Reads one keyword of an instance into `v`; false when it is not an instance keyword. */
function readKeyword(
  c: Ctx,
  k: Statement,
  v: Mutable<VrrpInstanceSpec>,
  scripts: ReadonlyMap<string, VrrpScriptSpec>,
  state: { initial?: string; advertWhere?: Statement },
): boolean {
  switch (k.keyword) {
    case 'state':
      state.initial = c.arg(k);
      if (state.initial !== 'MASTER' && state.initial !== 'BACKUP')
        c.fail(k, `state "${state.initial}" (expected MASTER or BACKUP)`);
      return true;
    case 'interface':
      v.interface = c.arg(k);
      return true;
    case 'virtual_router_id':
      v.vrid = c.int(k, 1, 255);
      return true;
    case 'priority':
      v.priority = c.int(k, 1, PRIORITY_OWNER);
      return true;
    case 'advert_int':
      v.advertIntMs = c.ms(k);
      state.advertWhere = k;
      return true;
    case 'version':
      v.version = c.int(k, 2, 3) as VrrpVersion;
      return true;
    case 'nopreempt':
      v.preempt = false;
      return true;
    case 'preempt':
      v.preempt = true;
      return true;
    case 'preempt_delay':
      v.preemptDelayMs = c.ms(k);
      return true;
    case 'virtual_ipaddress':
      v.vips = readVips(c, k);
      return true;
    case 'authentication':
      v.authPass = readAuth(c, k);
      return true;
    case 'unicast_src_ip':
      v.unicastSrc = c.ip(k, c.arg(k));
      return true;
    case 'unicast_peer':
      v.unicastPeers = c.items(k).map(({ where, words }) => c.ip(where, words[0]!));
      return true;
    case 'track_interface':
      v.trackInterfaces = readTracked(c, k, () => 0);
      return true;
    case 'track_script':
      v.trackScripts = readTracked(c, k, (name) => {
        const script = scripts.get(name);
        if (!script) c.fail(k, `track_script: no vrrp_script named "${name}"`);
        return script.weight;
      });
      for (const t of v.trackScripts)
        if (!scripts.has(t.name)) c.fail(k, `track_script: no vrrp_script named "${t.name}"`);
      return true;
    case 'garp_master_delay':
      v.garpMasterDelayMs = c.int(k, 0, 255) * 1000;
      return true;
    case 'garp_master_repeat':
      v.garpMasterRepeat = c.int(k, 1, 255);
      return true;
    case 'garp_master_refresh':
      v.garpMasterRefreshMs = c.int(k, 0, 86400) * 1000;
      return true;
    case 'notify_master':
    case 'notify_backup':
    case 'notify_fault':
    case 'notify_stop':
    case 'notify': {
      const line = k.args.join(' ');
      if (line === '') c.fail(k, `${k.keyword} needs a script`);
      const field = {
        notify_master: 'notifyMaster',
        notify_backup: 'notifyBackup',
        notify_fault: 'notifyFault',
        notify_stop: 'notifyStop',
        notify: 'notify',
      } as const;
      v[field[k.keyword]] = line;
      return true;
    }
    default:
      return false;
  }
}

export function readInstance(
  c: Ctx,
  s: Statement,
  d: InstanceDefaults,
  scripts: ReadonlyMap<string, VrrpScriptSpec>,
): VrrpInstanceSpec {
  const v: Mutable<VrrpInstanceSpec> = {
    name: c.arg(s),
    interface: '',
    vrid: 0,
    priority: VRRP_DEFAULTS.priority,
    advertIntMs: VRRP_DEFAULTS.advertIntMs,
    version: d.version,
    preempt: true,
    preemptDelayMs: 0,
    vips: [],
    unicastPeers: [],
    trackInterfaces: [],
    trackScripts: [],
    garpMasterDelayMs: d.garpDelayMs,
    garpMasterRepeat: d.garpRepeat,
    garpMasterRefreshMs: d.garpRefreshMs,
  };
  const state: { initial?: string; advertWhere?: Statement } = {};
  for (const k of c.block(s)) {
    if (readKeyword(c, k, v, scripts, state)) continue;
    if (NO_EFFECT.has(k.keyword)) c.warn(k, `${k.keyword} has no effect in uvs; ignored`);
    else c.warn(k, `unknown keyword "${k.keyword}" in vrrp_instance; ignored`);
  }
  if (v.interface === '') c.fail(s, `vrrp_instance ${v.name} has no interface`);
  if (v.vrid === 0) c.fail(s, `vrrp_instance ${v.name} has no virtual_router_id`);
  if (v.vips.length === 0) c.fail(s, `vrrp_instance ${v.name} has no virtual_ipaddress`);
  const where = state.advertWhere ?? s;
  if (
    v.version === 2 &&
    (v.advertIntMs % 1000 !== 0 || v.advertIntMs < 1000 || v.advertIntMs > 255_000)
  )
    c.fail(where, 'advert_int: VRRP version 2 needs whole seconds from 1 to 255');
  if (v.version === 3 && (v.advertIntMs < 10 || v.advertIntMs > 40_950))
    c.fail(where, 'advert_int: VRRP version 3 needs 0.01 to 40.95 seconds');
  if (v.version === 3 && v.authPass !== undefined)
    c.fail(s, `vrrp_instance ${v.name}: authentication is not part of VRRP version 3`);
  if (!v.preempt && state.initial === 'MASTER')
    c.warn(
      s,
      `vrrp_instance ${v.name}: nopreempt with state MASTER (keepalived wants state BACKUP)`,
    );
  if (
    v.priority === PRIORITY_OWNER &&
    (v.trackScripts.length > 0 || v.trackInterfaces.some((t) => t.weight !== 0))
  )
    c.warn(s, `vrrp_instance ${v.name}: priority 255 (address owner) ignores tracking weights`);
  return v;
}
