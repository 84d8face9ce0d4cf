// global_defs as a keyword table: router_id, the vrrp_* settings the VRRP runtime uses
// (with keepalived 2's defaults), lvs_sync_daemon, script security, mail settings; the
// process tuning keywords keepalived also has are accepted and have no effect in uvs.
import { canonicalIp, familyOf, isIpv4Multicast, isIpv6Multicast } from './address.js';
import type { GlobalDefs, LvsSyncDaemonSpec, LvsTimeouts } from './global-model.js';
import {
  accepted,
  flag,
  keywordTable,
  readBlock,
  set,
  unsupported,
  type Keyword,
} from './keywords.js';
import type { Draft, Reader } from './reader.js';
import type { Statement } from './tree.js';

/** The defaults being overwritten, and whether lvs_sync_daemon named its sync id. */
type GlobalDraft = Draft<GlobalDefs> & { syncIdSet?: boolean };

export const GLOBAL_DEFAULTS: GlobalDefs = Object.freeze({
  vrrpVersion: 2,
  vrrpMcastGroup4: '224.0.0.18',
  vrrpMcastGroup6: 'ff02::12',
  vrrpGarpMasterDelay: 5,
  vrrpGarpMasterRepeat: 5,
  vrrpGarpMasterRefresh: 0,
  vrrpGarpMasterRefreshRepeat: 1,
  vrrpGarpInterval: 0,
  vrrpGnaInterval: 0,
  vrrpMinGarp: false,
  vrrpDownTimerAdverts: 3,
  vrrpLowerPrioNoAdvert: false,
  vrrpHigherPrioSendAdvert: false,
  vrrpStrict: false,
  vrrpCheckUnicastSrc: false,
  vrrpSkipCheckAdvAddr: false,
  vrrpStartupDelay: 0,
  lvsFlush: false,
  lvsFlushOnStop: false,
  enableScriptSecurity: false,
  dynamicInterfaces: false,
  notificationEmail: Object.freeze([]),
});

const UINT = 0xffffffff;

/** A repeat count: keepalived reads 0 as 1, with a complaint. */
function repeat(r: Reader, s: Statement): number {
  const n = r.int(s, 0, UINT);
  if (n > 0) return n;
  r.warn(s, `${s.keyword} must be greater than 0; 1 used`);
  return 1;
}

function multicast(r: Reader, s: Statement, family: 4 | 6): string {
  const v = r.arg(s);
  const ip = canonicalIp(v);
  if (ip === undefined || familyOf(v) !== family)
    r.fail(s, `${s.keyword}: "${v}" is not an IPv${family} address`);
  if (family === 4 ? !isIpv4Multicast(ip) : !isIpv6Multicast(ip))
    r.fail(s, `${s.keyword}: ${v} is not a multicast address`);
  return ip;
}

/** The option words after the interface (and instance) of lvs_sync_daemon. */
const SYNC_OPTIONS: Record<
  string,
  (r: Reader, s: Statement, n: number) => Partial<LvsSyncDaemonSpec>
> = {
  id: (r, s, n) => ({ syncId: r.int(s, 0, 255, n) }),
  maxlen: (r, s, n) => ({ maxlen: r.int(s, 1, 65535 - 20 - 8, n) }),
  port: (r, s, n) => ({ port: r.int(s, 1, 65535, n) }),
  ttl: (r, s, n) => ({ ttl: r.int(s, 1, 255, n) }),
  group: (r, s, n) => {
    const ip = r.ip(s, n);
    if (familyOf(ip) === 4 ? !isIpv4Multicast(ip) : !isIpv6Multicast(ip))
      r.fail(s, `lvs_sync_daemon group ${ip} is not a multicast address`);
    return { group: ip };
  },
  inst: (r, s, n) => ({ instance: r.arg(s, n) }),
};

/** `lvs_sync_daemon INTERFACE [VRRP_INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP]`. */
function syncDaemon(r: Reader, s: Statement): LvsSyncDaemonSpec & { syncIdSet: boolean } {
  let spec: Draft<LvsSyncDaemonSpec> = { interface: r.arg(s), syncId: 0 };
  let syncIdSet = false;
  for (let i = 2; i <= s.args.length; i++) {
    const word = s.args[i - 1]!;
    const option = SYNC_OPTIONS[word];
    if (option) {
      spec = { ...spec, ...option(r, s, i + 1) };
      syncIdSet ||= word === 'id';
      i++;
    } else if (i === 2) spec.instance = word;
    else if (i === 3 && /^\d+$/.test(word)) {
      r.warn(s, 'Please use keyword "id" before lvs_sync_daemon SYNCID');
      spec.syncId = r.int(s, 0, 255, i);
      syncIdSet = true;
    } else r.fail(s, `unknown lvs_sync_daemon option "${word}"`);
  }
  return { ...spec, syncIdSet };
}

function lvsTimeouts(r: Reader, s: Statement): LvsTimeouts {
  const out: Draft<LvsTimeouts> = {};
  for (let i = 1; i <= s.args.length; i += 2) {
    const word = r.oneOf(s, ['tcp', 'tcpfin', 'udp'], i);
    out[word] = r.int(s, 0, 86400 * 31, i + 1);
  }
  return out;
}

const u = (r: Reader, s: Statement): number => r.int(s, 0, UINT);

/** The global_defs keywords uvs reads. */
const READ: Record<string, Keyword<GlobalDraft>> = {
  router_id: set('routerId', (r, s) => r.arg(s)),
  vrrp_version: set('vrrpVersion', (r, s) => r.int(s, 2, 3) as 2 | 3),
  vrrp_mcast_group4: set('vrrpMcastGroup4', (r, s) => multicast(r, s, 4)),
  vrrp_mcast_group6: set('vrrpMcastGroup6', (r, s) => multicast(r, s, 6)),
  vrrp_garp_master_delay: set('vrrpGarpMasterDelay', u),
  vrrp_garp_master_repeat: set('vrrpGarpMasterRepeat', repeat),
  vrrp_garp_master_refresh: set('vrrpGarpMasterRefresh', u),
  vrrp_garp_master_refresh_repeat: set('vrrpGarpMasterRefreshRepeat', repeat),
  vrrp_garp_lower_prio_delay: set('vrrpGarpLowerPrioDelay', u),
  vrrp_garp_lower_prio_repeat: set('vrrpGarpLowerPrioRepeat', u),
  vrrp_garp_interval: set('vrrpGarpInterval', (r, s) => r.seconds(s)),
  vrrp_gna_interval: set('vrrpGnaInterval', (r, s) => r.seconds(s)),
  vrrp_min_garp: flag('vrrpMinGarp'),
  vrrp_down_timer_adverts: set('vrrpDownTimerAdverts', (r, s) => r.int(s, 1, 100)),
  vrrp_lower_prio_no_advert: flag('vrrpLowerPrioNoAdvert'),
  vrrp_higher_prio_send_advert: flag('vrrpHigherPrioSendAdvert'),
  vrrp_strict: flag('vrrpStrict'),
  vrrp_check_unicast_src: flag('vrrpCheckUnicastSrc'),
  vrrp_skip_check_adv_addr: flag('vrrpSkipCheckAdvAddr'),
  vrrp_startup_delay: set('vrrpStartupDelay', (r, s) => r.seconds(s)),
  lvs_sync_daemon: {
    args: [1, 13],
    apply: (d, s, r) => {
      if (d.lvsSyncDaemon) r.fail(s, 'lvs_sync_daemon is already set');
      const { syncIdSet, ...spec } = syncDaemon(r, s);
      d.lvsSyncDaemon = spec;
      d.syncIdSet = syncIdSet;
    },
  },
  lvs_timeouts: set('lvsTimeouts', lvsTimeouts, { args: [2, 6] }),
  lvs_flush: flag('lvsFlush'),
  lvs_flush_on_stop: {
    args: [0, 1],
    aliases: ['lvs_flush_onstop'],
    apply: (d) => (d.lvsFlushOnStop = true),
  },
  enable_script_security: flag('enableScriptSecurity'),
  script_user: {
    args: [1, 2],
    apply: (d, s) =>
      (d.scriptUser = { user: s.args[0]!, ...(s.args[1] ? { group: s.args[1] } : {}) }),
  },
  dynamic_interfaces: { args: [0, 1], apply: (d) => (d.dynamicInterfaces = true) },
  default_interface: set('defaultInterface', (r, s) => r.arg(s)),
  notification_email: {
    form: 'block',
    args: [0, 0],
    apply: (d, s, r) => (d.notificationEmail = r.block(s).map((k) => k.keyword)),
  },
  notification_email_from: set('notificationEmailFrom', (r, s) => r.arg(s)),
  smtp_server: set('smtpServer', (r, s) => r.ip(s), { args: [1, 2] }),
  smtp_connect_timeout: set('smtpConnectTimeout', (r, s) => r.int(s, 0, UINT)),
};

/** keepalived global_defs keywords uvs does not act on: tuning (silent) or features (noted). */
const OTHERS: Record<string, Keyword<GlobalDraft>> = Object.fromEntries([
  ...[
    'process_names',
    'process_name',
    'vrrp_process_name',
    'checker_process_name',
    'lvs_process_name',
    'bfd_process_name',
    'smtp_helo_name',
    'smtp_alert',
    'smtp_alert_vrrp',
    'smtp_alert_checker',
    'checker_log_all_failures',
    'no_email_faults',
    'max_auto_priority',
    'min_auto_priority_delay',
    'disable_local_igmp',
    'vrrp_priority',
    'vrrp_no_swap',
    'vrrp_rt_priority',
    'vrrp_cpu_affinity',
    'vrrp_rlimit_rttime',
    'vrrp_rlimit_rtime',
    'checker_priority',
    'checker_no_swap',
    'checker_rt_priority',
    'checker_cpu_affinity',
    'checker_rlimit_rttime',
    'checker_rlimit_rtime',
    'bfd_priority',
    'bfd_no_swap',
    'bfd_rt_priority',
    'bfd_cpu_affinity',
    'bfd_rlimit_rttime',
    'bfd_rlimit_rtime',
    'vrrp_netlink_cmd_rcv_bufs',
    'vrrp_netlink_cmd_rcv_bufs_force',
    'vrrp_netlink_monitor_rcv_bufs',
    'vrrp_netlink_monitor_rcv_bufs_force',
    'process_monitor_rcv_bufs',
    'process_monitor_rcv_bufs_force',
    'lvs_netlink_cmd_rcv_bufs',
    'lvs_netlink_cmd_rcv_bufs_force',
    'lvs_netlink_monitor_rcv_bufs',
    'lvs_netlink_monitor_rcv_bufs_force',
    'rs_init_notifies',
    'no_checker_emails',
    'vrrp_rx_bufs_policy',
    'vrrp_rx_bufs_multiplier',
    'log_unknown_vrids',
    'umask',
    'random_seed',
    'reload_check_config',
    'reload_time_file',
    'reload_repeat',
    'reload_file',
    'include_check',
    'config_save_dir',
    'tmp_config_directory',
    'data_use_instance',
    'vrrp_notify_priority_changes',
    'fifo_write_vrrp_states_on_reload',
  ].map((k) => [k, accepted<GlobalDraft>()] as const),
  ...[
    'startup_script',
    'startup_script_timeout',
    'shutdown_script',
    'shutdown_script_timeout',
    'vrrp_garp_extra_if',
    'vrrp_vmac_garp_intvl',
    'vrrp_iptables',
    'vrrp_ipsets',
    'nftables',
    'nftables_priority',
    'nftables_ifindex',
    'nftables_ipvs',
    'nftables_ipvs_priority',
    'nftables_ipvs_start_fwmark',
    'nftables_counters',
    'notify_fifo',
    'notify_fifo_script',
    'vrrp_notify_fifo',
    'vrrp_notify_fifo_script',
    'lvs_notify_fifo',
    'lvs_notify_fifo_script',
    'snmp_socket',
    'enable_traps',
    'enable_snmp_vrrp',
    'enable_snmp_keepalived',
    'enable_snmp_rfc',
    'enable_snmp_rfcv2',
    'enable_snmp_rfcv3',
    'enable_snmp_checker',
    'enable_dbus',
    'dbus_service_name',
    'vmac_prefix',
    'vmac_addr_prefix',
  ].map((k) => [k, unsupported<GlobalDraft>()] as const),
]);

const GLOBAL_TABLE = keywordTable<GlobalDraft>({ ...OTHERS, ...READ });

export interface GlobalRead {
  readonly defs: GlobalDefs;
  /** lvs_sync_daemon named its sync id; else it is the instance's virtual_router_id. */
  readonly syncIdSet: boolean;
}

/** Reads the global_defs blocks (keepalived allows several) over the defaults. */
export function readGlobalDefs(r: Reader, blocks: readonly Statement[]): GlobalRead {
  const d: GlobalDraft = { ...GLOBAL_DEFAULTS };
  for (const s of blocks) readBlock(r, GLOBAL_TABLE, r.block(s), d, 'global_defs');
  const { syncIdSet, ...defs } = d;
  return { defs: Object.freeze(defs), syncIdSet: syncIdSet ?? false };
}
