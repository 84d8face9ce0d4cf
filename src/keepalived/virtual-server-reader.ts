// virtual_server and real_server blocks as keyword tables. A virtual server's timings
// (delay_loop, retry…) reach its checkers through its real servers, wherever in the block
// they are written, so real servers are read once the virtual server's own keywords are.
import { schedulerNames } from '../engine/schedulers/registry.js';
import { canonicalIp, familyOf, ipv4ToNumber } from './address.js';
import { CHECKER_TYPES, readChecker, type CheckTimings } from './checker-reader.js';
import {
  accepted,
  flag,
  keywordTable,
  readBlock,
  set,
  unsupported,
  type Keyword,
} from './keywords.js';
import type {
  LvsMethod,
  RealServerSpec,
  SorryServerSpec,
  VirtualServerKey,
  VirtualServerSpec,
} from './model.js';
import { omit, type Draft, type Reader } from './reader.js';
import type { Statement } from './tree.js';
import type { VirtualServerFacts } from './lvs-validate.js';

const SCHEDULERS = schedulerNames();
const METHODS: readonly LvsMethod[] = ['NAT', 'DR', 'TUN'];
/** keepalived's sched flags, each also a keyword of its own (`sh-port`). */
const SCHED_FLAGS = [
  'sh-port',
  'sh-fallback',
  'mh-port',
  'mh-fallback',
  'flag-1',
  'flag-2',
  'flag-3',
];
/** IPVS's default persistence timeout (`persistence_timeout` with no value). */
const DEFAULT_PERSISTENCE = 360;

/** lb_kind / lvs_method: NAT, DR or TUN, with keepalived's tunnel options after TUN. */
export function method(r: Reader, s: Statement): LvsMethod {
  const v = r.arg(s).toUpperCase();
  if (!(METHODS as readonly string[]).includes(v))
    r.fail(s, `unknown ${s.keyword} "${r.arg(s)}" (expected NAT, DR or TUN)`);
  const options = s.args.slice(1).join(' ');
  if (options !== '' && !(v === 'TUN' && options === 'type ipip'))
    r.notice(s, `${s.keyword} options "${options}" are not supported by uvs; ignored`);
  return v as LvsMethod;
}

const timing = <D extends { timings: CheckTimings }>(
  field: keyof CheckTimings,
  parse: (r: Reader, s: Statement) => number,
): Keyword<D> => ({
  args: [1, 1],
  apply: (d, s, r) => {
    d.timings[field as 'retry'] = parse(r, s);
  },
});

/** The timing keywords shared by virtual_server and real_server, inherited by checkers. */
function timingKeywords<D extends { timings: CheckTimings }>(): Record<string, Keyword<D>> {
  return {
    retry: timing('retry', (r, s) => r.int(s, 0, 0xffffffff)),
    delay_before_retry: timing('delayBeforeRetry', (r, s) => r.seconds(s)),
    warmup: timing('warmup', (r, s) => r.seconds(s)),
    connect_timeout: timing('connectTimeout', (r, s) => r.seconds(s)),
    smtp_alert: unsupported('line'),
    snmp_name: accepted('line'),
  };
}

interface RealServerDraft extends Omit<Draft<RealServerSpec>, 'checkers'> {
  timings: CheckTimings;
  checkerStatements: Statement[];
}

const checkerKeywords = <D extends { checkerStatements: Statement[] }>(): Record<
  string,
  Keyword<D>
> =>
  Object.fromEntries(
    CHECKER_TYPES.map((t) => [
      t,
      { form: 'block', args: [0, 0], apply: (d: D, s: Statement) => d.checkerStatements.push(s) },
    ]),
  );

const RS_TABLE = keywordTable<RealServerDraft>({
  ...timingKeywords<RealServerDraft>(),
  ...checkerKeywords<RealServerDraft>(),
  weight: set('weight', (r, s) => r.int(s, 0, 65535)),
  inhibit_on_failure: flag('inhibitOnFailure'),
  notify_up: set('notifyUp', (r, s) => r.rest(s), { args: [1, Infinity] }),
  notify_down: set('notifyDown', (r, s) => r.rest(s), { args: [1, Infinity] }),
  uthreshold: set('upperThreshold', (r, s) => r.int(s, 0, 0xffffffff)),
  lthreshold: set('lowerThreshold', (r, s) => r.int(s, 0, 0xffffffff)),
  lvs_method: set('method', method, { args: [1, Infinity], aliases: ['lb_kind'] }),
  alpha: flag('alpha'),
  delay_loop: timing('delayLoop', (r, s) => r.seconds(s)),
  virtualhost: { args: [1, 1], apply: (d, s, r) => (d.timings.virtualhost = r.arg(s)) },
});

function readRealServer(
  r: Reader,
  s: Statement,
  vs: VirtualServerDraft,
): RealServerSpec | undefined {
  const d: RealServerDraft = {
    where: { file: s.file, line: s.line },
    ip: r.ip(s, 1),
    port: s.args.length > 1 ? r.port(s, 2) : 0,
    weight: 1,
    inhibitOnFailure: vs.inhibit,
    upperThreshold: 0,
    lowerThreshold: 0,
    timings: {},
    checkerStatements: [],
  };
  readBlock(r, RS_TABLE, r.block(s), d, 'real_server');
  const { timings, checkerStatements, ...rs } = d;
  const inherited = { ...vs.timings, ...timings };
  const family = familyOf(rs.ip);
  if ((rs.method ?? vs.method) !== 'TUN' && vs.family !== undefined && family !== vs.family) {
    r.warn(s, `real_server ${rs.ip}: address family differs from the virtual server's; skipped`);
    return undefined;
  }
  const checkers = checkerStatements.flatMap((k) => readChecker(r, k, inherited));
  return Object.freeze({ ...rs, checkers: Object.freeze(checkers) });
}

interface VirtualServerDraft extends Omit<Draft<VirtualServerSpec>, 'schedFlags' | 'realServers'> {
  schedFlags: string[];
  timings: CheckTimings;
  inhibit: boolean;
  facts: { protocolSet: boolean; schedulerSet: boolean; methodSet: boolean };
  realServerStatements: Statement[];
}

function scheduler(r: Reader, s: Statement): string {
  const v = r.arg(s);
  if (!SCHEDULERS.includes(v))
    r.fail(s, `unknown ${s.keyword} "${v}" (expected one of ${SCHEDULERS.join(', ')})`);
  return v;
}

function protocol(r: Reader, s: Statement): 'tcp' | 'udp' {
  const v = r.arg(s).toUpperCase();
  if (v === 'SCTP') r.fail(s, 'protocol SCTP is not supported by uvs (expected TCP or UDP)');
  if (v !== 'TCP' && v !== 'UDP') r.fail(s, `unknown protocol "${r.arg(s)}" (expected TCP or UDP)`);
  return v === 'TCP' ? 'tcp' : 'udp';
}

/** A solid IPv4 netmask, or an IPv6 prefix length (1-128), as the family says. */
function granularity(r: Reader, s: Statement, family: 4 | 6 | undefined): string {
  const v = r.arg(s);
  if ((family ?? (v.includes('.') ? 4 : 6)) === 6) return String(r.int(s, 1, 128));
  if (familyOf(v) !== 4 || canonicalIp(v) === undefined)
    r.fail(s, `persistence_granularity: "${v}" is not a netmask`);
  const host = ~ipv4ToNumber(v) >>> 0;
  if ((host & (host + 1)) !== 0)
    r.fail(s, `persistence_granularity: "${v}" is not a solid netmask`);
  return v;
}

function schedFlags(r: Reader, s: Statement, d: VirtualServerDraft): void {
  for (const f of s.args) {
    if (!SCHED_FLAGS.includes(f)) r.fail(s, `unknown scheduler flag "${f}"`);
    d.schedFlags.push(f);
  }
}

const schedFlag: Keyword<VirtualServerDraft> = {
  args: [0, 0],
  apply: (d, s) => d.schedFlags.push(s.keyword),
};

const VS_TABLE = keywordTable<VirtualServerDraft>({
  ...timingKeywords<VirtualServerDraft>(),
  ...Object.fromEntries(SCHED_FLAGS.map((f) => [f, schedFlag])),
  delay_loop: {
    args: [1, 1],
    apply: (d, s, r) => (d.delayLoop = d.timings.delayLoop = r.seconds(s)),
  },
  lvs_sched: {
    args: [1, 1],
    aliases: ['lb_algo'],
    apply: (d, s, r) => {
      d.scheduler = scheduler(r, s);
      d.facts.schedulerSet = true;
    },
  },
  lvs_method: {
    args: [1, Infinity],
    aliases: ['lb_kind'],
    apply: (d, s, r) => {
      d.method = method(r, s);
      d.facts.methodSet = true;
    },
  },
  lvs_flags: {
    args: [1, Infinity],
    aliases: ['lb_flags'],
    apply: (d, s, r) => schedFlags(r, s, d),
  },
  ops: unsupported('line'),
  hashed: accepted('line'),
  ip_family: {
    args: [1, 1],
    apply: (d, s, r) => (d.family = r.oneOf(s, ['inet', 'inet6']) === 'inet' ? 4 : 6),
  },
  protocol: {
    args: [1, 1],
    apply: (d, s, r) => {
      d.protocol = protocol(r, s);
      d.facts.protocolSet = true;
    },
  },
  persistence_timeout: {
    args: [0, 1],
    apply: (d, s, r) =>
      (d.persistenceTimeout = s.args.length ? r.int(s, 1, 86400 * 31) : DEFAULT_PERSISTENCE),
  },
  persistence_granularity: {
    args: [1, 1],
    apply: (d, s, r) => (d.persistenceGranularity = granularity(r, s, d.family)),
  },
  persistence_engine: unsupported('line'),
  quorum: set('quorum', (r, s) => r.int(s, 1, 0xffffffff)),
  hysteresis: set('hysteresis', (r, s) => r.int(s, 0, 0xffffffff)),
  quorum_up: set('quorumUp', (r, s) => r.rest(s), { args: [1, Infinity] }),
  quorum_down: set('quorumDown', (r, s) => r.rest(s), { args: [1, Infinity] }),
  sorry_server: { args: [1, 2], apply: (d, s, r) => (d.sorryServer = sorryServer(r, s)) },
  sorry_server_inhibit: flag('sorryServerInhibit'),
  sorry_server_lvs_method: { args: [1, Infinity], apply: (d, s, r) => sorryMethod(r, s, d) },
  virtualhost: {
    args: [1, 1],
    apply: (d, s, r) => (d.virtualhost = d.timings.virtualhost = r.arg(s)),
  },
  alpha: flag('alpha'),
  omega: flag('omega'),
  ha_suspend: flag('haSuspend'),
  inhibit_on_failure: flag('inhibit'),
  weight: unsupported('line'),
  real_server: {
    form: 'block',
    args: [1, 2],
    apply: (d, s) => d.realServerStatements.push(s),
  },
});

function sorryServer(r: Reader, s: Statement): SorryServerSpec {
  return { ip: r.ip(s, 1), port: s.args.length > 1 ? r.port(s, 2) : 0 };
}

function sorryMethod(r: Reader, s: Statement, d: VirtualServerDraft): void {
  if (!d.sorryServer) {
    r.warn(s, 'sorry_server_lvs_method without a sorry_server before it; ignored');
    return;
  }
  d.sorryServer = { ...d.sorryServer, method: method(r, s) };
}

function virtualServerKey(r: Reader, s: Statement): VirtualServerKey {
  if (s.args[0] === 'fwmark') return { kind: 'fwmark', fwmark: r.int(s, 1, 0xffffffff, 2) };
  if (s.args[0] === 'group') return { kind: 'group', name: r.arg(s, 2) };
  return { kind: 'addr', ip: r.ip(s, 1), port: r.port(s, 2) };
}

function newVirtualServer(r: Reader, s: Statement): VirtualServerDraft {
  const key = virtualServerKey(r, s);
  return {
    where: { file: s.file, line: s.line },
    key,
    ...(key.kind === 'addr' ? { family: familyOf(key.ip) } : {}),
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
    timings: { delayLoop: 60 },
    inhibit: false,
    facts: { protocolSet: false, schedulerSet: false, methodSet: false },
    realServerStatements: [],
  };
}

/** keepalived's checks once the block is read (vs_end_handler). */
function checkVirtualServer(r: Reader, s: Statement, d: VirtualServerDraft): void {
  const sorry = d.sorryServer;
  if (sorry && (sorry.method ?? d.method) !== 'TUN' && d.family !== undefined) {
    if (familyOf(sorry.ip) !== d.family) {
      r.warnBlock(
        s,
        `sorry_server ${sorry.ip}: address family differs from the virtual server's; skipped`,
      );
      delete d.sorryServer;
    }
  }
  if (d.persistenceGranularity !== undefined && d.persistenceTimeout === undefined)
    d.persistenceTimeout = DEFAULT_PERSISTENCE;
}

/** The virtual server as written, and what lvs-validate needs to know about how it was. */
export function readVirtualServer(
  r: Reader,
  s: Statement,
): { spec: VirtualServerSpec; facts: VirtualServerFacts } {
  const d = newVirtualServer(r, s);
  readBlock(r, VS_TABLE, r.block(s), d, 'virtual_server');
  checkVirtualServer(r, s, d);
  const realServers = d.realServerStatements
    .map((k) => readRealServer(r, k, d))
    .filter((rs): rs is RealServerSpec => rs !== undefined);
  const vs = omit(d, 'timings', 'inhibit', 'facts', 'realServerStatements');
  const spec = Object.freeze({
    ...vs,
    schedFlags: Object.freeze(vs.schedFlags),
    realServers: Object.freeze(realServers),
  });
  return { spec, facts: d.facts };
}
