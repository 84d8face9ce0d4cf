// keepalived.conf → KeepalivedConfig: every keyword of the virtual-server side checked and
// converted, errors with file:line and the reason, unknown keywords as warnings. The whole
// file is read before anything is applied: a broken line changes nothing.
import { isIpv4 } from '../packet/addr.js';
import { ConfigError, lexConfig, lexConfigText } from './lexer.js';
import type {
  CheckerSpec,
  CheckerType,
  GroupMember,
  KeepalivedConfig,
  RealServerSpec,
  UrlSpec,
  VirtualServerKey,
  VirtualServerSpec,
} from './model.js';
import { parseTree, type Statement } from './tree.js';

const SCHEDULERS = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'lblcr',
  'dh',
  'sh',
  'sed',
  'nq',
  'fo',
  'ovf',
  'mh',
  'twos',
];
const METHODS = ['NAT', 'DR', 'TUN'] as const;
const CHECKERS: readonly CheckerType[] = [
  'TCP_CHECK',
  'HTTP_GET',
  'SSL_GET',
  'SMTP_CHECK',
  'MISC_CHECK',
  'UDP_CHECK',
  'PING_CHECK',
  'DNS_CHECK',
];
const SCHED_FLAGS = [
  'sh-port',
  'sh-fallback',
  'mh-port',
  'mh-fallback',
  'flag-1',
  'flag-2',
  'flag-3',
];
/** Keywords of other keepalived parts, accepted and ignored with a warning. */
const NOT_HERE = [
  'vrrp_instance',
  'vrrp_script',
  'vrrp_sync_group',
  'static_ipaddress',
  'static_routes',
  'static_rules',
  'track_file',
  'bfd_instance',
];

class Reader {
  readonly warnings: string[] = [];

  fail(s: Statement, reason: string): never {
    throw new ConfigError(s.file, s.line, reason);
  }

  warn(s: Statement, reason: string): void {
    this.warnings.push(`${s.file}:${s.line}: ${reason}`);
  }

  arg(s: Statement, n = 1): string {
    const v = s.args[n - 1];
    if (v === undefined) this.fail(s, `${s.keyword} needs ${n === 1 ? 'a value' : `${n} values`}`);
    return v;
  }

  int(s: Statement, min: number, max: number, n = 1): number {
    const v = this.arg(s, n);
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
      this.fail(s, `${s.keyword}: "${v}" is not a whole number from ${min} to ${max}`);
    return Number(v);
  }

  /** keepalived accepts fractional seconds for timers. */
  seconds(s: Statement): number {
    const v = this.arg(s);
    if (!/^\d+(\.\d+)?$/.test(v)) this.fail(s, `${s.keyword}: "${v}" is not a number of seconds`);
    return Number(v);
  }

  ip(s: Statement, n = 1): string {
    const v = this.arg(s, n);
    if (!isIpv4(v)) this.fail(s, `${s.keyword}: "${v}" is not an IPv4 address`);
    return v;
  }

  port(s: Statement, n = 2): number {
    return this.int(s, 0, 65535, n);
  }

  rest(s: Statement): string {
    if (s.args.length === 0) this.fail(s, `${s.keyword} needs a value`);
    return s.args.join(' ');
  }

  noBlock(s: Statement): void {
    if (s.children) this.fail(s, `${s.keyword} does not take a block`);
  }

  block(s: Statement): readonly Statement[] {
    if (!s.children) this.fail(s, `${s.keyword} needs a block { … }`);
    return s.children;
  }
}

/** Defaults a real server's checkers inherit from their virtual server and real server. */
interface CheckDefaults {
  delayLoop: number;
  connectTimeout: number;
  retry: number;
  delayBeforeRetry: number;
  warmup: number;
  virtualhost?: string;
}

function readChecker(r: Reader, s: Statement, type: CheckerType, d: CheckDefaults): CheckerSpec {
  let c: { -readonly [K in keyof CheckerSpec]: CheckerSpec[K] } = {
    type,
    where: { file: s.file, line: s.line },
    connectTimeout: d.connectTimeout,
    retry: d.retry,
    delayBeforeRetry: d.delayBeforeRetry,
    warmup: d.warmup,
    delayLoop: d.delayLoop,
    urls: [],
    miscDynamic: false,
    ...(d.virtualhost !== undefined ? { virtualhost: d.virtualhost } : {}),
  };
  const urls: UrlSpec[] = [];
  for (const k of r.block(s)) {
    switch (k.keyword) {
      case 'connect_ip':
        c = { ...c, connectIp: r.ip(k) };
        break;
      case 'connect_port':
        c = { ...c, connectPort: r.port(k, 1) };
        break;
      case 'bindto':
        c = { ...c, bindto: r.ip(k) };
        break;
      case 'bind_port':
      case 'fwmark':
      case 'bind_if':
        r.warn(k, `${k.keyword} is not supported by uvs; ignored`);
        break;
      case 'connect_timeout':
        c = { ...c, connectTimeout: r.seconds(k) };
        break;
      case 'retry':
      case 'nb_get_retry':
        c = { ...c, retry: r.int(k, 0, 1000) };
        break;
      case 'delay_before_retry':
        c = { ...c, delayBeforeRetry: r.seconds(k) };
        break;
      case 'warmup':
        c = { ...c, warmup: r.seconds(k) };
        break;
      case 'delay_loop':
        c = { ...c, delayLoop: r.seconds(k) };
        break;
      case 'url':
        if (type !== 'HTTP_GET' && type !== 'SSL_GET')
          r.fail(k, `url belongs in HTTP_GET or SSL_GET, not ${type}`);
        urls.push(readUrl(r, k));
        break;
      case 'virtualhost':
        c = { ...c, virtualhost: r.arg(k) };
        break;
      case 'helo_name':
        c = { ...c, heloName: r.arg(k) };
        break;
      case 'misc_path':
        c = { ...c, miscPath: r.rest(k) };
        break;
      case 'misc_timeout':
        c = { ...c, miscTimeout: r.seconds(k) };
        break;
      case 'misc_dynamic':
        c = { ...c, miscDynamic: true };
        break;
      case 'user':
        r.warn(k, 'user is not supported (scripts run as uvsd); ignored');
        break;
      case 'name':
        c = { ...c, dnsName: r.arg(k) };
        break;
      case 'type':
        c = { ...c, dnsType: r.arg(k).toUpperCase() };
        break;
      case 'payload':
        c = { ...c, udpPayload: r.rest(k) };
        break;
      case 'require_reply':
        c = { ...c, requireReply: r.rest(k) };
        break;
      default:
        r.warn(k, `unknown keyword "${k.keyword}" in ${type}; ignored`);
    }
  }
  if ((type === 'HTTP_GET' || type === 'SSL_GET') && urls.length === 0)
    r.fail(s, `${type} needs at least one url { path … }`);
  if (type === 'MISC_CHECK' && c.miscPath === undefined) r.fail(s, 'MISC_CHECK needs misc_path');
  if (
    type === 'DNS_CHECK' &&
    c.dnsType !== undefined &&
    !['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA'].includes(c.dnsType)
  ) {
    r.fail(s, `unknown DNS type "${c.dnsType}"`);
  }
  return { ...c, urls };
}

function readUrl(r: Reader, s: Statement): UrlSpec {
  let u: { path?: string; digest?: string; statusCode?: number; virtualhost?: string } = {};
  for (const k of r.block(s)) {
    if (k.keyword === 'path') u = { ...u, path: r.arg(k) };
    else if (k.keyword === 'digest') {
      const d = r.arg(k).toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(d))
        r.fail(k, `digest "${r.arg(k)}" is not an MD5 digest (32 hex digits)`);
      u = { ...u, digest: d };
    } else if (k.keyword === 'status_code') u = { ...u, statusCode: r.int(k, 100, 599) };
    else if (k.keyword === 'virtualhost') u = { ...u, virtualhost: r.arg(k) };
    else r.warn(k, `unknown keyword "${k.keyword}" in url; ignored`);
  }
  if (u.path === undefined) r.fail(s, 'url needs a path');
  return {
    path: u.path,
    ...(u.digest ? { digest: u.digest } : {}),
    ...(u.statusCode ? { statusCode: u.statusCode } : {}),
    ...(u.virtualhost ? { virtualhost: u.virtualhost } : {}),
  };
}

function method(r: Reader, s: Statement): 'NAT' | 'DR' | 'TUN' {
  const v = r.arg(s).toUpperCase();
  if (!(METHODS as readonly string[]).includes(v))
    r.fail(s, `unknown ${s.keyword} "${r.arg(s)}" (expected NAT, DR or TUN)`);
  return v as 'NAT' | 'DR' | 'TUN';
}

function readRealServer(
  r: Reader,
  s: Statement,
  d: CheckDefaults,
  vsInhibit: boolean,
): RealServerSpec {
  const ip = r.ip(s, 1);
  const port = s.args.length > 1 ? r.port(s, 2) : 0;
  let rs: { -readonly [K in keyof RealServerSpec]: RealServerSpec[K] } = {
    where: { file: s.file, line: s.line },
    ip,
    port,
    weight: 1,
    inhibitOnFailure: vsInhibit,
    upperThreshold: 0,
    lowerThreshold: 0,
    checkers: [],
  };
  const defaults = { ...d };
  const checks: Statement[] = [];
  for (const k of r.block(s)) {
    switch (k.keyword) {
      case 'weight':
        rs = { ...rs, weight: r.int(k, 0, 65535) };
        break;
      case 'inhibit_on_failure':
        rs = { ...rs, inhibitOnFailure: true };
        break;
      case 'notify_up':
        rs = { ...rs, notifyUp: r.rest(k) };
        break;
      case 'notify_down':
        rs = { ...rs, notifyDown: r.rest(k) };
        break;
      case 'uthreshold':
        rs = { ...rs, upperThreshold: r.int(k, 0, 2147483647) };
        break;
      case 'lthreshold':
        rs = { ...rs, lowerThreshold: r.int(k, 0, 2147483647) };
        break;
      case 'lvs_method':
      case 'lb_kind':
        rs = { ...rs, method: method(r, k) };
        break;
      case 'delay_loop':
        defaults.delayLoop = r.seconds(k);
        break;
      case 'connect_timeout':
        defaults.connectTimeout = r.seconds(k);
        break;
      case 'retry':
        defaults.retry = r.int(k, 0, 1000);
        break;
      case 'delay_before_retry':
        defaults.delayBeforeRetry = r.seconds(k);
        break;
      case 'warmup':
        defaults.warmup = r.seconds(k);
        break;
      default:
        if ((CHECKERS as readonly string[]).includes(k.keyword)) checks.push(k);
        else r.warn(k, `unknown keyword "${k.keyword}" in real_server; ignored`);
    }
  }
  return {
    ...rs,
    checkers: checks.map((k) => readChecker(r, k, k.keyword as CheckerType, defaults)),
  };
}

function readVirtualServer(r: Reader, s: Statement): VirtualServerSpec {
  let key: VirtualServerKey;
  if (s.args[0] === 'fwmark') key = { kind: 'fwmark', fwmark: r.int(s, 1, 0xffffffff, 2) };
  else if (s.args[0] === 'group') key = { kind: 'group', name: r.arg(s, 2) };
  else key = { kind: 'addr', ip: r.ip(s, 1), port: r.port(s, 2) };
  let vs: { -readonly [K in keyof VirtualServerSpec]: VirtualServerSpec[K] } = {
    where: { file: s.file, line: s.line },
    key,
    delayLoop: 60,
    scheduler: 'wlc',
    method: 'NAT',
    protocol: 'tcp',
    schedFlags: [],
    quorum: 1,
    hysteresis: 0,
    sorryServerInhibit: false,
    alpha: false,
    omega: false,
    haSuspend: false,
    realServers: [],
  };
  const d: CheckDefaults = {
    delayLoop: 60,
    connectTimeout: 5,
    retry: 1,
    delayBeforeRetry: 1,
    warmup: 0,
  };
  let inhibit = false;
  const rsStatements: Statement[] = [];
  const flags: string[] = [];
  for (const k of r.block(s)) {
    switch (k.keyword) {
      case 'delay_loop':
        vs = { ...vs, delayLoop: r.seconds(k) };
        d.delayLoop = vs.delayLoop;
        break;
      case 'lb_algo':
      case 'lvs_sched': {
        const v = r.arg(k);
        if (!SCHEDULERS.includes(v))
          r.fail(k, `unknown ${k.keyword} "${v}" (expected one of ${SCHEDULERS.join(', ')})`);
        vs = { ...vs, scheduler: v };
        break;
      }
      case 'lb_kind':
      case 'lvs_method':
        vs = { ...vs, method: method(r, k) };
        break;
      case 'protocol': {
        const v = r.arg(k).toUpperCase();
        if (v !== 'TCP' && v !== 'UDP')
          r.fail(k, `unknown protocol "${r.arg(k)}" (expected TCP or UDP)`);
        vs = { ...vs, protocol: v === 'TCP' ? 'tcp' : 'udp' };
        break;
      }
      case 'persistence_timeout':
        vs = { ...vs, persistenceTimeout: r.int(k, 1, 86400 * 31) };
        break;
      case 'persistence_granularity':
        vs = { ...vs, persistenceGranularity: r.ip(k) };
        break;
      case 'quorum':
        vs = { ...vs, quorum: r.int(k, 0, 0xffffffff) };
        break;
      case 'hysteresis':
        vs = { ...vs, hysteresis: r.int(k, 0, 0xffffffff) };
        break;
      case 'quorum_up':
        vs = { ...vs, quorumUp: r.rest(k) };
        break;
      case 'quorum_down':
        vs = { ...vs, quorumDown: r.rest(k) };
        break;
      case 'sorry_server':
        vs = { ...vs, sorryServer: { ip: r.ip(k, 1), port: r.port(k, 2) } };
        break;
      case 'sorry_server_inhibit':
        vs = { ...vs, sorryServerInhibit: true };
        break;
      case 'virtualhost': {
        const host = r.arg(k);
        vs = { ...vs, virtualhost: host };
        d.virtualhost = host;
        break;
      }
      case 'alpha':
        vs = { ...vs, alpha: true };
        break;
      case 'omega':
        vs = { ...vs, omega: true };
        break;
      case 'ha_suspend':
        vs = { ...vs, haSuspend: true };
        break;
      case 'inhibit_on_failure':
        inhibit = true;
        break;
      case 'connect_timeout':
        d.connectTimeout = r.seconds(k);
        break;
      case 'retry':
        d.retry = r.int(k, 0, 1000);
        break;
      case 'delay_before_retry':
        d.delayBeforeRetry = r.seconds(k);
        break;
      case 'warmup':
        d.warmup = r.seconds(k);
        break;
      case 'real_server':
        rsStatements.push(k);
        break;
      case 'lvs_flags':
      case 'lb_flags':
        for (const f of k.args) {
          if (!SCHED_FLAGS.includes(f)) r.fail(k, `unknown scheduler flag "${f}"`);
          flags.push(f);
        }
        break;
      default:
        if (SCHED_FLAGS.includes(k.keyword)) flags.push(k.keyword);
        else r.warn(k, `unknown keyword "${k.keyword}" in virtual_server; ignored`);
    }
  }
  return {
    ...vs,
    schedFlags: flags,
    realServers: rsStatements.map((k) => readRealServer(r, k, d, inhibit)),
  };
}

function readGroup(r: Reader, s: Statement): GroupMember[] {
  const out: GroupMember[] = [];
  for (const k of r.block(s)) {
    if (k.keyword === 'fwmark') out.push({ kind: 'fwmark', fwmark: r.int(k, 1, 0xffffffff) });
    else {
      // "IP PORT" or a range "IP-LAST PORT" (192.168.1.10-20 80).
      const m = /^(\d+\.\d+\.\d+)\.(\d+)(?:-(\d+))?$/.exec(k.keyword);
      if (!m || !isIpv4(`${m[1]}.${m[2]}`))
        r.fail(k, `"${k.keyword}" is not an address or range in virtual_server_group`);
      const port = k.args[0] !== undefined ? r.port(k, 1) : 0;
      const last = m[3] !== undefined ? Number(m[3]) : Number(m[2]);
      if (last < Number(m[2]) || last > 255) r.fail(k, `bad address range "${k.keyword}"`);
      for (let a = Number(m[2]); a <= last; a++)
        out.push({ kind: 'addr', ip: `${m[1]}.${a}`, port });
    }
  }
  return out;
}

function interpret(statements: readonly Statement[]): KeepalivedConfig {
  const r = new Reader();
  const virtualServers: VirtualServerSpec[] = [];
  const groups = new Map<string, GroupMember[]>();
  let routerId: string | undefined;
  for (const s of statements) {
    switch (s.keyword) {
      case 'global_defs':
        for (const k of r.block(s)) if (k.keyword === 'router_id') routerId = r.arg(k);
        break;
      case 'virtual_server':
        virtualServers.push(readVirtualServer(r, s));
        break;
      case 'virtual_server_group':
        groups.set(r.arg(s), readGroup(r, s));
        break;
      default:
        if (NOT_HERE.includes(s.keyword))
          r.warn(s, `${s.keyword} is not handled by this uvs version; ignored`);
        else r.warn(s, `unknown keyword "${s.keyword}"; ignored`);
    }
  }
  for (const vs of virtualServers) {
    if (vs.key.kind === 'group' && !groups.has(vs.key.name)) {
      throw new ConfigError(
        vs.where.file,
        vs.where.line,
        `virtual_server group "${vs.key.name}" is not defined`,
      );
    }
  }
  return {
    virtualServers,
    groups,
    ...(routerId !== undefined ? { routerId } : {}),
    warnings: r.warnings,
  };
}

export function readKeepalivedConfig(file: string): KeepalivedConfig {
  return interpret(parseTree(lexConfig(file)));
}

export function parseKeepalivedText(text: string, file = 'keepalived.conf'): KeepalivedConfig {
  return interpret(parseTree(lexConfigText(text, file)));
}

export { ConfigError };
