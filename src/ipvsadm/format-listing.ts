// ipvsadm's listings, to the byte: the banner, the service table in each of its formats
// (-L, --stats, --rate, --thresholds, --persistent-conn, -S), the connection table (-Lc)
// and the timeouts.
import { parseIpv4 } from '../packet/addr.js';
import {
  FwdMethod,
  type ConnView,
  type DestView,
  type ServiceView,
  type TimeoutsView,
} from '../engine/model.js';
import type { ListFormat } from './command.js';
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

/** ipvsadm's order: fwmark, protocol, address, port (ipvs_cmp_services). */
export function sortServices(list: readonly ServiceView[]): ServiceView[] {
  const k = (s: ServiceView): [number, number, number, number] =>
    s.key.kind === 'fwmark'
      ? [s.key.fwmark, 0, 0, 0]
      : [0, s.key.proto === 'tcp' ? 6 : 17, parseIpv4(s.key.vip), s.key.port];
  return [...list].sort((a, b) => {
    const ka = k(a);
    const kb = k(b);
    for (let i = 0; i < 4; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return 0;
  });
}

function sortDests(list: readonly DestView[]): DestView[] {
  return [...list].sort((a, b) => parseIpv4(a.addr) - parseIpv4(b.addr) || a.port - b.port);
}

/** One service and its real servers in format `f` (rule = -S). */
export function serviceEntry(s: ServiceView, f: ListFormat, rule: boolean): string {
  const proto = svcProto(s);
  let name: string;
  if (s.key.kind === 'fwmark') name = rule ? `-f ${s.key.fwmark}` : `FWM  ${s.key.fwmark}`;
  else {
    const vname = addrPortName(s.key.vip, s.key.port, proto, f.numeric);
    name = rule
      ? `${proto === 'tcp' ? '-t' : '-u'} ${vname}`
      : `${proto === 'tcp' ? 'TCP' : 'UDP'}  ${vname}`.slice(0, 33);
  }
  let out: string;
  if (rule) {
    out = `-A ${name} -s ${s.scheduler}`;
    if (s.schedFlags && s.schedFlags.length > 0) out += ` -b ${s.schedFlags.join(',')}`;
    if (s.persistence) {
      out += ` -p ${s.persistence.timeout}`;
      if (s.persistence.netmask !== '255.255.255.255') out += ` -M ${s.persistence.netmask}`;
    }
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
    if (s.persistence) {
      out += ` persistent ${s.persistence.timeout}`;
      if (s.persistence.netmask !== '255.255.255.255') out += ` mask ${s.persistence.netmask}`;
    }
  }
  out += '\n';
  for (const d of f.nosort ? s.dests : sortDests(s.dests)) {
    const dname = rule
      ? addrPortName(d.addr, d.port, proto, f.numeric)
      : addrPortName(d.addr, d.port, proto, f.numeric).slice(0, 28);
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
