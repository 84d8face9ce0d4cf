// vrrp_instance as a keyword table, into a draft that vrrp-complete.ts resolves the way
// keepalived completes an instance at start. A malformed value is an error; a well-formed
// setting keepalived drops or overrides (an address of the other family, a second BACKUP
// after MASTER, a duplicate notify script) is a warning, and dropped likewise.
import type { Where } from '../health/checker-spec.js';
import { familyOf, isIpv4Multicast, isIpv6Multicast } from './address.js';
import { MAX_IFNAME, readIpAddress, type InterfaceUse } from './ip-address-reader.js';
import { accepted, keywordTable, readBlock, set, unsupported, type Keyword } from './keywords.js';
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
  TrackedInterface,
  TrackedScript,
  VrrpInstanceSpec,
  VrrpScriptSpec,
} from './vrrp-model.js';

export interface InstanceContext {
  /** vrrp_script blocks read so far (keepalived resolves track_script while reading). */
  readonly scripts: ReadonlyMap<string, VrrpScriptSpec>;
  /** Names of the scripts some instance or group tracks. */
  readonly usedScripts: Set<string>;
  readonly useInterface: InterfaceUse;
}

type Peer = VrrpInstanceSpec['unicastPeers'][number];

export interface InstanceDraft {
  where: Where;
  name: string;
  state?: 'MASTER' | 'BACKUP';
  interface?: string;
  vrid?: number;
  priority?: number;
  version?: 2 | 3;
  advertInterval?: number;
  family?: 4 | 6;
  vips: IpAddressSpec[];
  evips: IpAddressSpec[];
  vroutes: RouteSpec[];
  vrules: RuleSpec[];
  nopreempt: boolean;
  preemptDelay: number;
  authType?: 'PASS' | 'AH';
  authPass?: string;
  sourceIp?: string;
  unicastPeers: Peer[];
  unicastConfigured: boolean;
  unicastTtl?: number;
  mcastDstIp?: string;
  trackInterfaces: TrackedInterface[];
  trackScripts: TrackedScript[];
  dontTrackPrimary: boolean;
  notify: Draft<NotifyScripts>;
  smtpAlert: boolean;
  garpMasterDelay?: number;
  garpMasterRepeat?: number;
  garpMasterRefresh?: number;
  garpMasterRefreshRepeat?: number;
  garpLowerPrioDelay?: number;
  garpLowerPrioRepeat?: number;
  downTimerAdverts?: number;
  accept?: boolean;
  strictMode?: boolean;
  skipCheckAdvAddr?: boolean;
  checkUnicastSrc: boolean;
  lowerPrioNoAdvert?: boolean;
  higherPrioSendAdvert?: boolean;
  promoteSecondaries: boolean;
  useVmac: boolean;
  /** lvs_sync_daemon_interface (keepalived 1's place for it). */
  legacySyncInterface?: string;
}

interface Ctx {
  readonly d: InstanceDraft;
  readonly c: InstanceContext;
}

/** The instance's family from its first address; false (and a warning) on a mismatch. */
function sameFamily(r: Reader, s: Statement, d: InstanceDraft, ip: string, what: string): boolean {
  const f = familyOf(ip);
  if (d.family === undefined) d.family = f;
  if (d.family === f) return true;
  r.warn(s, `(${d.name}) ${what} ${ip}: address family must match the instance's - ignoring`);
  return false;
}

function addresses(list: 'vips' | 'evips'): Keyword<Ctx> {
  return {
    form: 'block',
    args: [0, 0],
    apply: ({ d, c }, s, r) => {
      for (const k of r.block(s)) {
        const a = readIpAddress(r, k, { isStatic: false, useInterface: c.useInterface });
        if (list === 'evips' || sameFamily(r, k, d, a.ip, 'virtual_ipaddress')) d[list].push(a);
      }
    },
  };
}

function notify(which: keyof NotifyScripts): Keyword<Ctx> {
  return {
    args: [1, 3],
    apply: ({ d }, s, r) => {
      if (d.notify[which])
        r.warn(s, `(${d.name}) ${s.keyword} script already specified - ignoring`);
      else d.notify[which] = readScript(r, s);
    },
  };
}

function peers(r: Reader, s: Statement, d: InstanceDraft): void {
  d.unicastConfigured = true;
  for (const k of r.block(s)) {
    const ip = r.address(k, k.keyword);
    if (!sameFamily(r, k, d, ip, 'unicast_peer')) continue;
    const peer: Draft<Peer> = { ip };
    for (let i = 1; i <= k.args.length; i += 2) {
      const opt = r.oneOf(k, ['min_ttl', 'max_ttl'], i);
      peer[opt === 'min_ttl' ? 'minTtl' : 'maxTtl'] = r.int(k, 0, 255, i + 1);
      d.checkUnicastSrc = true;
    }
    if ((peer.minTtl ?? 0) > (peer.maxTtl ?? 255))
      r.warn(k, `(${d.name}) min_ttl > max_ttl - all packets will be discarded`);
    d.unicastPeers.push(peer);
  }
}

function mcastDst(r: Reader, s: Statement, d: InstanceDraft): void {
  const ip = r.ip(s);
  const ok =
    familyOf(ip) === 4 ? isIpv4Multicast(ip) : isIpv6Multicast(ip) && ip.startsWith('ff02:');
  if (!ok) r.fail(s, `(${d.name}) mcast_dst_ip ${ip} is not a (link-local) multicast address`);
  if (sameFamily(r, s, d, ip, 'mcast_dst_ip')) d.mcastDstIp = ip;
}

const AUTH_TABLE = keywordTable<InstanceDraft>({
  auth_type: set('authType', (r, s) => r.oneOf(s, ['PASS', 'AH'])),
  auth_pass: {
    args: [1, 1],
    apply: (d, s, r) => {
      const pass = r.arg(s);
      if (pass.length > 8) r.warn(s, 'Truncating auth_pass to 8 characters');
      d.authPass = pass.slice(0, 8);
    },
  },
});

const n = (min: number, max: number) => (r: Reader, s: Statement) => r.int(s, min, max);

/** `set` for fields of the draft, through the context. */
function field<K extends keyof InstanceDraft>(
  key: K,
  parse: (r: Reader, s: Statement) => InstanceDraft[K],
  more: Omit<Keyword<Ctx>, 'apply'> = {},
): Keyword<Ctx> {
  return { args: [1, 1], ...more, apply: ({ d }, s, r) => (d[key] = parse(r, s)) };
}
type FlagKey = 'nopreempt' | 'dontTrackPrimary' | 'smtpAlert' | 'promoteSecondaries';
/** A flag of the instance (alone: true; or true/on/yes, false/off/no). */
const on = (key: FlagKey): Keyword<Ctx> => ({
  args: [0, 1],
  apply: ({ d }, s, r) => (d[key] = r.bool(s)),
});

const INSTANCE_TABLE = keywordTable<Ctx>({
  state: {
    args: [1, 1],
    apply: ({ d }, s, r) => {
      const v = r.oneOf(s, ['MASTER', 'BACKUP']);
      if (v === 'BACKUP' && d.state === 'MASTER')
        r.warn(s, `(${d.name}) state previously set as MASTER - ignoring BACKUP`);
      else d.state = v;
    },
  },
  interface: {
    args: [1, 1],
    apply: ({ d, c }, s, r) => {
      if (r.arg(s).length > MAX_IFNAME) r.fail(s, `interface name "${r.arg(s)}" is too long`);
      d.interface = c.useInterface(s, r.arg(s), `vrrp_instance ${d.name}`);
    },
  },
  virtual_router_id: field('vrid', n(1, 255)),
  priority: field('priority', n(1, 255)),
  advert_int: field('advertInterval', (r, s) => {
    const v = r.seconds(s);
    if (v < 0.01 || v > 255) r.fail(s, `advert_int: "${r.arg(s)}" is not from 0.01 to 255 seconds`);
    return v;
  }),
  version: {
    args: [1, 1],
    apply: ({ d }, s, r) => {
      const v = r.int(s, 2, 3) as 2 | 3;
      // keepalived's vrrp_version_handler: an IPv6 instance (its addresses read) keeps version 3.
      if ((d.version !== undefined && d.version !== v) || (v === 2 && d.family === 6))
        r.warn(
          s,
          `(${d.name}) vrrp_version ${v} conflicts with configured or deduced version ${d.version ?? 0}; ignoring.`,
        );
      else d.version = v;
    },
  },
  native_ipv6: {
    args: [0, 0],
    apply: ({ d }, s, r) => {
      if (d.family === 4) r.warn(s, `(${d.name}) Cannot specify native_ipv6 with IPv4 addresses`);
      else {
        d.family = 6;
        d.version = 3;
      }
    },
  },
  virtual_ipaddress: addresses('vips'),
  virtual_ipaddress_excluded: addresses('evips'),
  virtual_routes: {
    form: 'block',
    args: [0, 0],
    apply: ({ d, c }, s, r) =>
      d.vroutes.push(...r.block(s).flatMap((k) => readRoute(r, k, c.useInterface) ?? [])),
  },
  virtual_rules: {
    form: 'block',
    args: [0, 0],
    apply: ({ d, c }, s, r) =>
      d.vrules.push(...r.block(s).flatMap((k) => readRule(r, k, c.useInterface) ?? [])),
  },
  nopreempt: on('nopreempt'),
  preempt: { args: [0, 0], apply: ({ d }) => (d.nopreempt = false) },
  preempt_delay: field('preemptDelay', (r, s) => r.seconds(s)),
  authentication: {
    form: 'block',
    args: [0, 0],
    apply: ({ d }, s, r) => readBlock(r, AUTH_TABLE, r.block(s), d, 'authentication'),
  },
  mcast_src_ip: {
    args: [1, 1],
    apply: ({ d }, s, r) => {
      const ip = r.ip(s);
      if (sameFamily(r, s, d, ip, 'source address')) d.sourceIp = ip;
    },
  },
  unicast_src_ip: {
    args: [1, 1],
    apply: ({ d }, s, r) => {
      d.unicastConfigured = true;
      const ip = r.ip(s);
      if (sameFamily(r, s, d, ip, 'source address')) d.sourceIp = ip;
    },
  },
  unicast_peer: { form: 'block', args: [0, 0], apply: ({ d }, s, r) => peers(r, s, d) },
  unicast_fault_no_peer: { args: [0, 0], apply: ({ d }) => (d.unicastConfigured = true) },
  check_unicast_src: {
    args: [0, 0],
    apply: ({ d }) => ((d.unicastConfigured = true), (d.checkUnicastSrc = true)),
  },
  old_unicast_checksum: accepted('line'),
  unicast_ttl: field('unicastTtl', n(0, 255)),
  mcast_dst_ip: { args: [1, 1], apply: ({ d }, s, r) => mcastDst(r, s, d) },
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
  track_src_ip: unsupported('line'),
  dont_track_primary: on('dontTrackPrimary'),
  notify_master: notify('master'),
  notify_backup: notify('backup'),
  notify_fault: notify('fault'),
  notify_stop: notify('stop'),
  notify: notify('any'),
  notify_deleted: unsupported('line'),
  notify_master_rx_lower_pri: unsupported('line'),
  notify_priority_changes: unsupported('line'),
  smtp_alert: on('smtpAlert'),
  lvs_sync_daemon_interface: {
    args: [1, 1],
    apply: ({ d }, s, r) => {
      r.warn(
        s,
        `(${d.name}) Specifying lvs_sync_daemon_interface against a vrrp is deprecated. Please use global lvs_sync_daemon`,
      );
      d.legacySyncInterface = r.arg(s);
    },
  },
  garp_master_delay: field('garpMasterDelay', n(0, 0xffffffff)),
  garp_master_refresh: field('garpMasterRefresh', n(0, 0xffffffff)),
  garp_master_repeat: field('garpMasterRepeat', n(1, 0xffffffff)),
  garp_master_refresh_repeat: field('garpMasterRefreshRepeat', n(1, 0xffffffff)),
  garp_lower_prio_delay: field('garpLowerPrioDelay', n(0, 0xffffffff)),
  garp_lower_prio_repeat: field('garpLowerPrioRepeat', n(0, 0x7fffffff)),
  down_timer_adverts: field('downTimerAdverts', n(1, 100)),
  garp_extra_if: unsupported('line'),
  vmac_garp_intvl: unsupported('line'),
  lower_prio_no_advert: field('lowerPrioNoAdvert', (r, s) => r.bool(s), { args: [0, 1] }),
  higher_prio_send_advert: field('higherPrioSendAdvert', (r, s) => r.bool(s), { args: [0, 1] }),
  strict_mode: field('strictMode', (r, s) => r.bool(s), { args: [0, 1] }),
  skip_check_adv_addr: field('skipCheckAdvAddr', (r, s) => r.bool(s), { args: [0, 1] }),
  accept: { args: [0, 0], apply: ({ d }) => (d.accept = true) },
  no_accept: { args: [0, 0], apply: ({ d }) => (d.accept = false) },
  promote_secondaries: on('promoteSecondaries'),
  use_vmac: { args: [0, 2], apply: ({ d }) => (d.useVmac = true) },
  use_vmac_addr: unsupported('line'),
  vmac_xmit_base: unsupported('line'),
  use_ipvlan: unsupported('line'),
  vrf: unsupported('line'),
  linkbeat_use_polling: unsupported('line'),
  debug: accepted('line'),
  kernel_rx_buf_size: accepted('line'),
});

export function readInstance(r: Reader, s: Statement, c: InstanceContext): InstanceDraft {
  const d: InstanceDraft = {
    where: { file: s.file, line: s.line },
    name: r.arg(s),
    vips: [],
    evips: [],
    vroutes: [],
    vrules: [],
    nopreempt: false,
    preemptDelay: 0,
    unicastPeers: [],
    unicastConfigured: false,
    trackInterfaces: [],
    trackScripts: [],
    dontTrackPrimary: false,
    notify: {},
    smtpAlert: false,
    checkUnicastSrc: false,
    promoteSecondaries: false,
    useVmac: false,
  };
  readBlock(r, INSTANCE_TABLE, r.block(s), { d, c }, `vrrp_instance ${d.name}`);
  return d;
}
