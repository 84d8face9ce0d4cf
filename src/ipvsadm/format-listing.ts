// ipvsadm's listings, to the byte: the banner, the service table in each of its formats
// (-L, --stats, --rate, --thresholds, --persistent-conn, -S), the connection table (-Lc)
// and the timeouts.
import { compareIpv6, isIpv6, parseIpv4, parseIpv6 } from '../packet/addr.js';
import {
  FwdMethod,
  type ConnView,
  type DestView,
  type ServiceView,
  type TimeoutsView,
} from '../engine/model.js';
import type { SyncDaemonView } from '../sync/sync-config.js';
import { serviceFamily, type ListFormat } from './command.js';
import { addrPortName } from './names.js';

/** IPVS's version as ipvsadm prints it (the kernel's ip_vs reports 1.2.1). */
export const IPVS_VERSION = '1.2.1';

const pad = (s: string | number, n: number): string => String(s).padEnd(n);
const rpad = (s: string | number, n: number): string => String(s).padStart(n);

export function banner(size: number): string {
  return `IP Virtual Server version ${IPVS_VERSION} (size=${size})\n`;
}

/** ipvsadm's print_largenum: 9 columns, K/M/G/T above 100 million unless --exact. */
export function largenum(n: number, exact: boolean): string {
  if (exact) {
    const s = String(n);
    return rpad(s, s.length <= 8 ? 9 : s.length + 1);
  }
  if (n < 1e8) return rpad(n, 9);
  if (n < 1e9) return rpad(Math.floor(n / 1e3), 8) + 'K';
  if (n < 1e11) return rpad(Math.floor(n / 1e6), 8) + 'M';
  if (n < 1e14) return rpad(Math.floor(n / 1e9), 8) + 'G';
  return rpad(Math.floor(n / 1e12), 8) + 'T';
}

export function title(f: ListFormat): string {
  const head = pad('Prot LocalAddress:Port', 33);
  if (f.stats)
    return `${head} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((h) => rpad(h, 8)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (f.rate)
    return `${head} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((h) => rpad(h, 8)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (f.thresholds)
    return `${head} ${['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'].map((h) => pad(h, 10)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (f.persistentConn)
    return `${head} ${pad('Weight', 9)} ${pad('PersistConn', 11)} ${pad('ActiveConn', 10)} ${pad('InActConn', 10)}\n  -> RemoteAddress:Port\n`;
  return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
}

const FWD_NAME: Record<number, string> = {
  [FwdMethod.Masq]: 'Masq',
  [FwdMethod.Local]: 'Local',
  [FwdMethod.Tunnel]: 'Tunnel',
  [FwdMethod.Route]: 'Route',
};
const FWD_SWITCH: Record<number, string> = {
  [FwdMethod.Masq]: '-m',
  [FwdMethod.Local]: '-g',
  [FwdMethod.Tunnel]: '-i',
  [FwdMethod.Route]: '-g',
};

function svcProto(s: ServiceView): 'tcp' | 'udp' {
  return s.key.kind === 'addr' ? s.key.proto : 'tcp';
}

/** Orders two addresses of one family; IPv4 before IPv6 otherwise (AF_INET < AF_INET6). */
function compareAddrs(a: string, b: string): number {
  const a6 = isIpv6(a);
  const b6 = isIpv6(b);
  if (a6 !== b6) return a6 ? 1 : -1;
  return a6 ? compareIpv6(parseIpv6(a), 0, parseIpv6(b), 0) : parseIpv4(a) - parseIpv4(b);
}

/** ipvsadm's order: fwmark, family, protocol, address, port (ipvs_cmp_services). */
export function sortServices(list: readonly ServiceView[]): ServiceView[] {
  const head = (s: ServiceView): [number, number, number] =>
    s.key.kind === 'fwmark'
      ? [s.key.fwmark, serviceFamily(s.key), 0]
      : [0, serviceFamily(s.key), s.key.proto === 'tcp' ? 6 : 17];
  return [...list].sort((a, b) => {
    const ha = head(a);
    const hb = head(b);
    for (let i = 0; i < 3; i++) if (ha[i] !== hb[i]) return ha[i]! - hb[i]!;
    if (a.key.kind !== 'addr' || b.key.kind !== 'addr') return 0;
    return compareAddrs(a.key.vip, b.key.vip) || a.key.port - b.key.port;
  });
}

function sortDests(list: readonly DestView[]): DestView[] {
  return [...list].sort((a, b) => compareAddrs(a.addr, b.addr) || a.port - b.port);
}

/** The service's name: "TCP  vip:port" (IPv4 cut at 33 characters), "FWM  1 IPv6", "-t …" (rule). */
function serviceName(s: ServiceView, f: ListFormat, rule: boolean): string {
  const v6 = serviceFamily(s.key) === 6;
  if (s.key.kind === 'fwmark') {
    if (rule) return `-f ${s.key.fwmark}${v6 ? ' -6' : ''}`;
    return `FWM  ${s.key.fwmark}${v6 ? ' IPv6' : ''}`;
  }
  const proto = s.key.proto;
  const vname = addrPortName(s.key.vip, s.key.port, proto, f.numeric);
  if (rule) return `${proto === 'tcp' ? '-t' : '-u'} ${vname}`;
  const name = `${proto === 'tcp' ? 'TCP' : 'UDP'}  ${vname}`;
  return v6 ? name : name.slice(0, 33);
}

/** " mask …" / " -M …" when persistence is coarser than one client address. */
function maskText(s: ServiceView, word: string): string {
  const mask = s.persistence?.netmask;
  if (mask === undefined) return '';
  const host = serviceFamily(s.key) === 6 ? '128' : '255.255.255.255';
  return mask === host ? '' : ` ${word} ${mask}`;
}

/** One service and its real servers in format `f` (rule = -S). */
export function serviceEntry(s: ServiceView, f: ListFormat, rule: boolean): string {
  const proto = svcProto(s);
  const name = serviceName(s, f, rule);
  let out: string;
  if (rule) {
    // ipvsadm 1.31 prints persistence before the scheduler flags.
    out = `-A ${name} -s ${s.scheduler}`;
    if (s.persistence) out += ` -p ${s.persistence.timeout}${maskText(s, '-M')}`;
    if (s.schedFlags && s.schedFlags.length > 0) out += ` -b ${s.schedFlags.join(',')}`;
  } else if (f.stats) {
    const st = s.stats;
    out =
      pad(name, 33) +
      [st.conns, st.inPkts, st.outPkts, st.inBytes, st.outBytes]
        .map((n) => largenum(n, f.exact))
        .join('');
  } else if (f.rate) {
    const r = s.rate;
    out =
      pad(name, 33) +
      [r.cps, r.inPps, r.outPps, r.inBps, r.outBps].map((n) => largenum(n, f.exact)).join('');
  } else {
    out = `${name} ${s.scheduler}`;
    if (s.schedFlags && s.schedFlags.length > 0) out += ` (${s.schedFlags.join(',')})`;
    if (s.persistence) out += ` persistent ${s.persistence.timeout}${maskText(s, 'mask')}`;
  }
  out += '\n';
  for (const d of f.nosort ? s.dests : sortDests(s.dests)) {
    const full = addrPortName(d.addr, d.port, proto, f.numeric);
    const dname = rule || isIpv6(d.addr) ? full : full.slice(0, 28);
    if (rule) {
      out += `-a ${name} -r ${dname} ${FWD_SWITCH[d.method]} -w ${d.weight}`;
      if (d.upperThreshold > 0) out += ` -x ${d.upperThreshold}`;
      if (d.lowerThreshold > 0) out += ` -y ${d.lowerThreshold}`;
      out += '\n';
    } else if (f.stats) {
      const st = d.stats;
      out +=
        `  -> ${pad(dname, 28)}` +
        [st.conns, st.inPkts, st.outPkts, st.inBytes, st.outBytes]
          .map((n) => largenum(n, f.exact))
          .join('') +
        '\n';
    } else if (f.rate) {
      const r = d.rate;
      out +=
        `  -> ${pad(dname, 28)} ${rpad(r.cps, 8)} ${rpad(r.inPps, 8)} ${rpad(r.outPps, 8)}` +
        largenum(r.inBps, f.exact) +
        largenum(r.outBps, f.exact) +
        '\n';
    } else if (f.thresholds) {
      out += `  -> ${pad(dname, 28)} ${pad(d.upperThreshold, 10)} ${pad(d.lowerThreshold, 10)} ${pad(d.activeConns, 10)} ${pad(d.inactiveConns, 10)}\n`;
    } else if (f.persistentConn) {
      out += `  -> ${pad(dname, 28)} ${pad(d.weight, 9)} ${pad(d.persistentConns, 11)} ${pad(d.activeConns, 10)} ${pad(d.inactiveConns, 10)}\n`;
    } else {
      out += `  -> ${pad(dname, 28)} ${pad(FWD_NAME[d.method] ?? '?', 7)} ${pad(d.weight, 6)} ${pad(d.activeConns, 10)} ${pad(d.inactiveConns, 10)}\n`;
    }
  }
  return out;
}

/** `-L` (all services): banner, title, entries. */
export function listAll(services: readonly ServiceView[], size: number, f: ListFormat): string {
  const list = f.nosort ? services : sortServices(services);
  return banner(size) + title(f) + list.map((s) => serviceEntry(s, f, false)).join('');
}

/** `-S`: rules that `-R` reads back. */
export function saveRules(services: readonly ServiceView[], f: ListFormat): string {
  const list = f.nosort ? services : sortServices(services);
  return list.map((s) => serviceEntry(s, f, true)).join('');
}

function mmss(ms: number): string {
  const secs = Math.floor(ms / 1000);
  return `${String(Math.floor(secs / 60)).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')}`;
}

/** `-Lc`: the connection entries. */
export function listConnections(conns: readonly ConnView[], f: ListFormat): string {
  let out = `IPVS connection entries\npro expire ${pad('state', 11)} ${pad('source', 18)} ${pad('virtual', 18)} destination\n`;
  for (const c of conns) {
    const proto = c.proto === 'UDP' ? 'udp' : 'tcp';
    out +=
      `${pad(c.proto, 3)} ${pad(mmss(c.expiresMs), 6)} ${pad(c.state, 11)} ` +
      `${pad(addrPortName(c.clientAddr, c.clientPort, proto, f.numeric), 18)} ` +
      `${pad(addrPortName(c.virtualAddr, c.virtualPort, proto, f.numeric), 18)} ` +
      `${addrPortName(c.destAddr, c.destPort, proto, f.numeric)}\n`;
  }
  return out;
}

export function listTimeout(t: TimeoutsView): string {
  return `Timeout (tcp tcpfin udp): ${t.tcp} ${t.tcpFin} ${t.udp}\n`;
}

/**
 * `-L --daemon`: one line per running sync daemon, master first, as ipvsadm prints what the
 * kernel reports (which fills in maxlen, group, port and ttl).
 */
export function listDaemons(daemons: readonly SyncDaemonView[]): string {
  const order = ['master', 'backup'] as const;
  return order
    .flatMap((state) => daemons.filter((d) => d.state === state))
    .map((d) => {
      let line = `${d.state} sync daemon (mcast=${d.mcastIfn}, syncid=${d.syncId}`;
      if (d.maxlen) line += `, maxlen=${d.maxlen}`;
      if (d.group) line += `, group=${d.group}`;
      if (d.port) line += `, port=${d.port}`;
      if (d.ttl) line += `, ttl=${d.ttl}`;
      return `${line})\n`;
    })
    .join('');
}
