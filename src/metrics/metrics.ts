// Prometheus metrics of uvsd (prom-client): the figures of `ipvsadm --stats` and `--rate`
// per service and real server, the connection table, frames handled/dropped by reason and
// the io backend's counters. Values are read from the director when scraped.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { DirectorControl, ServiceView } from '../engine/model.js';

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

/** The figures of ipvsadm --stats and --rate per virtual service. */
function registerServiceMetrics(registry: Registry, director: DirectorControl): void {
  const eachService =
    (f: (s: ServiceView, labels: Labels, set: SetValue) => void): ReadValues =>
    (set) => {
      for (const s of director.services()) f(s, serviceLabels(s), set);
    };
  const labels = SERVICE_LABELS;
  mirrored(
    registry,
    'uvs_service_connections_total',
    'Connections scheduled by a virtual service (ipvsadm --stats Conns)',
    labels,
    eachService((s, l, set) => set(l, s.stats.conns)),
  );
  mirrored(
    registry,
    'uvs_service_packets_total',
    'Packets of a virtual service (InPkts/OutPkts)',
    [...labels, 'direction'],
    eachService((s, l, set) => inOut(set, l, s.stats, 'Pkts')),
  );
  mirrored(
    registry,
    'uvs_service_bytes_total',
    'Bytes of a virtual service (InBytes/OutBytes)',
    [...labels, 'direction'],
    eachService((s, l, set) => inOut(set, l, s.stats, 'Bytes')),
  );
  gauge(
    registry,
    'uvs_service_rate',
    'Rates of a virtual service as ipvsadm --rate (cps, inpps, outpps, inbps, outbps)',
    [...labels, 'rate'],
    eachService((s, l, set) => {
      for (const k of RATES) set({ ...l, rate: k.toLowerCase() }, s.rate[k]);
    }),
  );
}

/** The figures of ipvsadm --stats and -Ln per real server. */
function registerServerMetrics(registry: Registry, director: DirectorControl): void {
  const eachServer =
    (f: (d: ServerView, labels: Labels, set: SetValue) => void): ReadValues =>
    (set) => {
      for (const s of director.services())
        for (const d of s.dests)
          f(d, { ...serviceLabels(s), server: d.addr, server_port: d.port }, set);
    };
  const labels = SERVER_LABELS;
  mirrored(
    registry,
    'uvs_server_connections_total',
    'Connections scheduled to a real server',
    labels,
    eachServer((d, l, set) => set(l, d.stats.conns)),
  );
  mirrored(
    registry,
    'uvs_server_packets_total',
    'Packets of a real server',
    [...labels, 'direction'],
    eachServer((d, l, set) => inOut(set, l, d.stats, 'Pkts')),
  );
  mirrored(
    registry,
    'uvs_server_bytes_total',
    'Bytes of a real server',
    [...labels, 'direction'],
    eachServer((d, l, set) => inOut(set, l, d.stats, 'Bytes')),
  );
  gauge(
    registry,
    'uvs_server_connections',
    'Current connections of a real server (ActiveConn, InActConn, PersistConn)',
    [...labels, 'state'],
    eachServer((d, l, set) => {
      set({ ...l, state: 'active' }, d.activeConns);
      set({ ...l, state: 'inactive' }, d.inactiveConns);
      set({ ...l, state: 'persistent' }, d.persistentConns);
    }),
  );
  gauge(
    registry,
    'uvs_server_weight',
    'Weight of a real server',
    labels,
    eachServer((d, l, set) => set(l, d.weight)),
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
  registerCounterFamily(registry, director, FRAMES);
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
export async function serveMetrics(registry: Registry, address: string): Promise<Server> {
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
  return server;
}
