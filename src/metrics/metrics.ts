// Prometheus metrics of uvsd (prom-client): the figures of `ipvsadm --stats` and `--rate`
// per service and real server, the connection table, frames handled/dropped by reason and
// the io backend's counters. Values are read from the director when scraped.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { DirectorControl } from '../control/director-control.js';
import type { ServiceView } from '../engine/model.js';

type Labels = Record<string, string | number>;
/** Sets one value of a metric at scrape time. */
type SetValue = (labels: Labels, value: number) => void;
/** Reads the director and sets the values of one metric. */
type ReadValues = (set: SetValue) => void;
type Stats = ServiceView['stats'];
type ServerView = ServiceView['dests'][number];

/** The rates of ipvsadm --rate, in its column order. */
const RATES = ['cps', 'inPps', 'outPps', 'inBps', 'outBps'] as const;

const SERVICE_LABELS = ['proto', 'vip', 'port', 'fwmark'];
const SERVER_LABELS = [...SERVICE_LABELS, 'server', 'server_port'];

function serviceLabels(s: ServiceView): Labels {
  return s.key.kind === 'fwmark'
    ? { proto: 'fwm', vip: '', port: 0, fwmark: s.key.fwmark }
    : { proto: s.key.proto, vip: s.key.vip, port: s.key.port, fwmark: 0 };
}

/**
 * A counter that mirrors a total kept by the director, read at each scrape (prom-client
 * counters only go up, so it is reset and re-filled).
 */
function mirrored(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: ReadValues,
): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      read((l, v) => this.inc(l, v));
    },
  });
}

/** A gauge read from the director at each scrape. */
function gauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: ReadValues,
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      read((l, v) => this.set(l, v));
    },
  });
}

/** Sets the in and out values of a packets or bytes figure. */
function inOut(set: SetValue, labels: Labels, stats: Stats, unit: 'Pkts' | 'Bytes'): void {
  set({ ...labels, direction: 'in' }, stats[`in${unit}`]);
  set({ ...labels, direction: 'out' }, stats[`out${unit}`]);
}

/** Visits the rows of a kind (virtual services, real servers) with their labels at a scrape. */
type EachRow<T> = (visit: (row: T, labels: Labels) => void) => void;

/** Name and help of the three --stats families of a kind of row. */
interface StatsFamilies {
  readonly conns: readonly [name: string, help: string];
  readonly packets: readonly [name: string, help: string];
  readonly bytes: readonly [name: string, help: string];
}

/** Connections, packets and bytes (ipvsadm --stats) of each row. */
function registerStats<T extends { readonly stats: Stats }>(
  registry: Registry,
  families: StatsFamilies,
  labelNames: string[],
  each: EachRow<T>,
): void {
  const [connsName, connsHelp] = families.conns;
  mirrored(registry, connsName, connsHelp, labelNames, (set) =>
    each((row, l) => set(l, row.stats.conns)),
  );
  for (const [[name, help], unit] of [
    [families.packets, 'Pkts'],
    [families.bytes, 'Bytes'],
  ] as const) {
    mirrored(registry, name, help, [...labelNames, 'direction'], (set) =>
      each((row, l) => inOut(set, l, row.stats, unit)),
    );
  }
}

/** The figures of ipvsadm --stats and --rate per virtual service. */
function registerServiceMetrics(registry: Registry, director: DirectorControl): void {
  const each: EachRow<ServiceView> = (visit) => {
    for (const s of director.services()) visit(s, serviceLabels(s));
  };
  registerStats(
    registry,
    {
      conns: [
        'uvs_service_connections_total',
        'Connections scheduled by a virtual service (ipvsadm --stats Conns)',
      ],
      packets: ['uvs_service_packets_total', 'Packets of a virtual service (InPkts/OutPkts)'],
      bytes: ['uvs_service_bytes_total', 'Bytes of a virtual service (InBytes/OutBytes)'],
    },
    SERVICE_LABELS,
    each,
  );
  gauge(
    registry,
    'uvs_service_rate',
    'Rates of a virtual service as ipvsadm --rate (cps, inpps, outpps, inbps, outbps)',
    [...SERVICE_LABELS, 'rate'],
    (set) =>
      each((s, l) => {
        for (const k of RATES) set({ ...l, rate: k.toLowerCase() }, s.rate[k]);
      }),
  );
}

/** The figures of ipvsadm --stats and -Ln per real server. */
function registerServerMetrics(registry: Registry, director: DirectorControl): void {
  const each: EachRow<ServerView> = (visit) => {
    for (const s of director.services())
      for (const d of s.dests)
        visit(d, { ...serviceLabels(s), server: d.addr, server_port: d.port });
  };
  registerStats(
    registry,
    {
      conns: ['uvs_server_connections_total', 'Connections scheduled to a real server'],
      packets: ['uvs_server_packets_total', 'Packets of a real server'],
      bytes: ['uvs_server_bytes_total', 'Bytes of a real server'],
    },
    SERVER_LABELS,
    each,
  );
  gauge(
    registry,
    'uvs_server_connections',
    'Current connections of a real server (ActiveConn, InActConn, PersistConn)',
    [...SERVER_LABELS, 'state'],
    (set) =>
      each((d, l) => {
        set({ ...l, state: 'active' }, d.activeConns);
        set({ ...l, state: 'inactive' }, d.inactiveConns);
        set({ ...l, state: 'persistent' }, d.persistentConns);
      }),
  );
  gauge(registry, 'uvs_server_weight', 'Weight of a real server', SERVER_LABELS, (set) =>
    each((d, l) => set(l, d.weight)),
  );
}

/** A counter family over director.counters(): label value → the name of the counter. */
interface CounterFamily {
  readonly name: string;
  readonly help: string;
  readonly label: string;
  readonly counters: Readonly<Record<string, string>>;
}

const FRAMES: CounterFamily = {
  name: 'uvs_frames_total',
  help: 'Frames the engine handled, by result',
  label: 'result',
  counters: {
    forwarded: 'forwarded',
    replied: 'replied',
    not_ours: 'not_ours',
    frag_needed: 'frag_needed',
    port_unreachable: 'port_unreachable',
  },
};

const IO_FAMILIES: readonly CounterFamily[] = [
  {
    name: 'uvs_io_frames_total',
    help: 'Frames received and sent by the io backend',
    label: 'direction',
    counters: { rx: 'io.rxFrames', tx: 'io.txFrames' },
  },
  {
    name: 'uvs_io_bytes_total',
    help: 'Bytes received and sent by the io backend',
    label: 'direction',
    counters: { rx: 'io.rxBytes', tx: 'io.txBytes' },
  },
  {
    name: 'uvs_io_errors_total',
    help: 'Send failures and truncated captures of the io backend',
    label: 'kind',
    counters: { tx: 'io.txErrors', rx_truncated: 'io.rxTruncated' },
  },
];

function registerCounterFamily(
  registry: Registry,
  director: DirectorControl,
  family: CounterFamily,
): void {
  mirrored(registry, family.name, family.help, [family.label], (set) => {
    const c = director.counters();
    for (const [value, counter] of Object.entries(family.counters))
      set({ [family.label]: value }, c[counter] ?? 0);
  });
}

/** The engine's connection table and frame counters, and the io backend's. */
function registerFrameMetrics(registry: Registry, director: DirectorControl): void {
  gauge(
    registry,
    'uvs_connection_table_entries',
    'Entries of the connection table (connections and persistence templates)',
    [],
    (set) => set({}, director.counters()['connections'] ?? 0),
  );
  gauge(
    registry,
    'uvs_connection_table_capacity',
    'Entries the connection table holds (fixed at start: --conn-table-size)',
    [],
    (set) => set({}, director.counters()['connections_capacity'] ?? 0),
  );
  gauge(
    registry,
    'uvs_connection_table_bytes',
    'Shared memory of the IPv4 connection table (entries, hash chains, locks, expiry wheel)',
    [],
    (set) => set({}, director.counters()['connection_table_bytes'] ?? 0),
  );
  gauge(
    registry,
    'uvs_connection_table6_bytes',
    'Shared memory of the IPv6 connection table (entries, hash chains, locks, expiry wheel)',
    [],
    (set) => set({}, director.counters()['connection_table6_bytes'] ?? 0),
  );
  registerCounterFamily(registry, director, FRAMES);
  mirrored(
    registry,
    'uvs_connections_evicted_total',
    'Connections drop_entry took out of a full table to make room (SYN-flood defence)',
    [],
    (set) => set({}, director.counters()['evicted'] ?? 0),
  );
  mirrored(
    registry,
    'uvs_syn_retried_total',
    'First SYNs refused while a receive ring backed up, sent again and let through (SYN-flood defence)',
    [],
    (set) => set({}, director.counters()['syn_retried'] ?? 0),
  );
  mirrored(
    registry,
    'uvs_frames_dropped_total',
    'Frames the engine dropped, by reason',
    ['reason'],
    (set) => {
      for (const [k, v] of Object.entries(director.counters()))
        if (k.startsWith('drop.')) set({ reason: k.slice(5) }, v);
    },
  );
  for (const family of IO_FAMILIES) registerCounterFamily(registry, director, family);
}

export function createMetricsRegistry(director: DirectorControl): Registry {
  const registry = new Registry();
  registerServiceMetrics(registry, director);
  registerServerMetrics(registry, director);
  registerFrameMetrics(registry, director);
  return registry;
}

export class MetricsError extends Error {
  readonly code = 'E_METRICS';
}

/** Serves GET /metrics on `address` ("host:port" or ":port"). */
export async function serveMetrics(
  registry: Registry,
  address: string,
  log: (msg: string) => void = (m) => void process.stderr.write(`${m}\n`),
): Promise<Server> {
  const m = /^(.*):(\d+)$/.exec(address);
  if (!m || Number(m[2]) > 65535)
    throw new MetricsError(`--metrics ${address}: expected HOST:PORT or :PORT`);
  const host = m[1] === '' ? '0.0.0.0' : m[1]!;
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new MetricsError(`--metrics ${address}: ${e.message}`)));
    server.listen(Number(m[2]), host, () => resolve());
  });
  // After listen: a failed accept (EMFILE…) is logged; without a listener it would throw.
  server.on('error', (e) => log(`uvsd: metrics on ${address}: ${e.message}`));
  return server;
}
