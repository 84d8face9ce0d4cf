// The checker blocks of a real_server (TCP_CHECK, HTTP_GET, SSL_GET, SMTP_CHECK, MISC_CHECK,
// UDP_CHECK, PING_CHECK, DNS_CHECK) as keyword tables: the connection keywords they share,
// the timing keywords every checker has, and each type's own. Timings a checker does not set
// come from its real_server, then its virtual_server, then keepalived's defaults.
import type { CheckerSpec, CheckerType, UrlSpec } from '../health/checker-spec.js';
import { DNS_TYPES } from '../health/dns-check.js';
import {
  flag,
  keywordTable,
  readBlock,
  set,
  unsupported,
  type Keyword,
  type KeywordTable,
} from './keywords.js';
import { omit, type Draft, type Reader } from './reader.js';
import type { Statement } from './tree.js';
import { readUrl } from './url-reader.js';

export const CHECKER_TYPES: readonly CheckerType[] = [
  'TCP_CHECK',
  'HTTP_GET',
  'SSL_GET',
  'SMTP_CHECK',
  'MISC_CHECK',
  'UDP_CHECK',
  'PING_CHECK',
  'DNS_CHECK',
];

/** Timings set on a virtual_server or real_server, inherited by its checkers. */
export interface CheckTimings {
  delayLoop?: number;
  connectTimeout?: number;
  retry?: number;
  delayBeforeRetry?: number;
  warmup?: number;
  virtualhost?: string;
}

/** Where a checker connects: its own settings, or one `host { … }` of an SMTP_CHECK. */
interface Connection {
  connectIp?: string;
  connectPort?: number;
  bindto?: string;
  connectTimeout?: number;
}

type CheckerDraft = Connection &
  CheckTimings &
  Omit<Draft<CheckerSpec>, keyof Connection | keyof CheckTimings | 'urls'> & {
    urls: UrlSpec[];
    hosts: Connection[];
  };

const CONNECTION: Record<string, Keyword<Connection>> = {
  connect_ip: set('connectIp', (r, s) => r.ip(s)),
  connect_port: set('connectPort', (r, s) => r.int(s, 1, 65535)),
  bindto: set('bindto', (r, s) => r.ip(s)),
  connect_timeout: set('connectTimeout', (r, s) => r.seconds(s)),
  bind_port: unsupported('line'),
  bind_if: unsupported('line'),
  fwmark: unsupported('line'),
};

const TIMING: Record<string, Keyword<CheckerDraft>> = {
  retry: set('retry', (r, s) => r.int(s, 0, 0xffffffff)),
  delay_before_retry: set('delayBeforeRetry', (r, s) => r.seconds(s)),
  warmup: set('warmup', (r, s) => r.seconds(s)),
  delay_loop: set('delayLoop', (r, s) => r.seconds(s)),
  alpha: flag('alpha'),
  log_all_failures: unsupported('line'),
};

const HOST_TABLE = keywordTable<Connection>(CONNECTION);

const HTTP: Record<string, Keyword<CheckerDraft>> = {
  nb_get_retry: set('retry', (r, s) => r.int(s, 0, 0xffffffff), {
    deprecated: "nb_get_retry is deprecated - please use 'retry'",
  }),
  virtualhost: set('virtualhost', (r, s) => r.arg(s)),
  url: { form: 'block', args: [0, 0], apply: (d, s, r) => d.urls.push(readUrl(r, s)) },
  http_protocol: unsupported('line'),
  fast_recovery: unsupported('line'),
};

const DNS_TYPE_NAMES = Object.keys(DNS_TYPES);

const OWN: Record<CheckerType, Record<string, Keyword<CheckerDraft>>> = {
  TCP_CHECK: CONNECTION,
  PING_CHECK: CONNECTION,
  HTTP_GET: { ...CONNECTION, ...HTTP },
  SSL_GET: { ...CONNECTION, ...HTTP, enable_sni: unsupported('line') },
  SMTP_CHECK: {
    ...CONNECTION,
    helo_name: set('heloName', (r, s) => r.arg(s)),
    host: { form: 'block', args: [0, 0], apply: (d, s, r) => d.hosts.push(readHost(r, s)) },
  },
  MISC_CHECK: {
    misc_path: set('miscPath', (r, s) => r.rest(s), { args: [1, Infinity] }),
    misc_timeout: set('miscTimeout', (r, s) => r.int(s, 0, 0xffffffff)),
    misc_dynamic: flag('miscDynamic'),
    user: unsupported('line', 'not supported (scripts run as uvsd)'),
  },
  UDP_CHECK: {
    ...CONNECTION,
    payload: set('udpPayload', (r, s) => r.rest(s), { args: [1, Infinity] }),
    require_reply: set('requireReply', (r, s) => r.rest(s), { args: [1, Infinity] }),
    min_reply_length: unsupported('line'),
    max_reply_length: unsupported('line'),
  },
  DNS_CHECK: {
    ...CONNECTION,
    name: set('dnsName', (r, s) => r.arg(s)),
    type: set('dnsType', (r, s) => dnsType(r, s)),
  },
};

const TABLES = new Map<CheckerType, KeywordTable<CheckerDraft>>(
  CHECKER_TYPES.map((t) => [t, keywordTable<CheckerDraft>({ ...TIMING, ...OWN[t] })]),
);

function dnsType(r: Reader, s: Statement): string {
  const v = r.arg(s).toUpperCase();
  if (!DNS_TYPE_NAMES.includes(v)) r.fail(s, `unknown DNS type "${r.arg(s)}"`);
  return v;
}

function readHost(r: Reader, s: Statement): Connection {
  const host: Connection = {};
  readBlock(r, HOST_TABLE, r.block(s), host, 'host');
  return host;
}

/** keepalived's default delay_before_retry: 3 s for HTTP_GET and SSL_GET, else 1 s. */
const defaultDelayBeforeRetry = (t: CheckerType): number =>
  t === 'HTTP_GET' || t === 'SSL_GET' ? 3 : 1;

/** The spec, connecting as the checker says or, for an SMTP `host`, as that host says. */
function finish(
  d: CheckerDraft,
  host: Connection | undefined,
  inherited: CheckTimings,
): CheckerSpec {
  const { urls, connectIp, connectPort, bindto } = d;
  const rest = omit(d, 'hosts', 'urls', 'connectIp', 'connectPort', 'bindto');
  const conn = host ?? { connectIp, connectPort, bindto };
  const spec: Draft<CheckerSpec> = {
    ...rest,
    ...(conn.connectIp !== undefined ? { connectIp: conn.connectIp } : {}),
    ...(conn.connectPort !== undefined ? { connectPort: conn.connectPort } : {}),
    ...(conn.bindto !== undefined ? { bindto: conn.bindto } : {}),
    connectTimeout: host?.connectTimeout ?? d.connectTimeout ?? inherited.connectTimeout ?? 5,
    retry: d.retry ?? inherited.retry ?? 1,
    delayBeforeRetry:
      d.delayBeforeRetry ?? inherited.delayBeforeRetry ?? defaultDelayBeforeRetry(d.type),
    warmup: d.warmup ?? inherited.warmup ?? 0,
    delayLoop: d.delayLoop ?? inherited.delayLoop ?? 60,
    urls: Object.freeze(urls),
  };
  if (spec.virtualhost === undefined && inherited.virtualhost !== undefined)
    spec.virtualhost = inherited.virtualhost;
  return Object.freeze(spec);
}

/**
 * The checker specs of one checker block: one, or for an SMTP_CHECK with `host` blocks
 * (keepalived's older form) one per host.
 */
export function readChecker(r: Reader, s: Statement, inherited: CheckTimings): CheckerSpec[] {
  const type = s.keyword as CheckerType;
  const d: CheckerDraft = {
    type,
    where: { file: s.file, line: s.line },
    urls: [],
    hosts: [],
    miscDynamic: false,
  };
  readBlock(r, TABLES.get(type)!, r.block(s), d, type);
  if ((type === 'HTTP_GET' || type === 'SSL_GET') && d.urls.length === 0)
    r.fail(s, `${type} needs at least one url { path … }`);
  if (type === 'MISC_CHECK' && d.miscPath === undefined) r.fail(s, 'MISC_CHECK needs misc_path');
  if (d.hosts.length === 0) return [finish(d, undefined, inherited)];
  return d.hosts.map((h) => finish(d, h, inherited));
}
