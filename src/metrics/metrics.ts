// Prometheus metrics of uvsd (prom-client): the figures of `ipvsadm --stats` and `--rate`
// per service and real server, the connection table, frames handled/dropped by reason and
// the io backend's counters. Values are read from the director when scraped.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { DirectorControl, ServiceView } from '../engine/model.js';

type Labels = Record<string, string | number>;

function serviceLabels(s: ServiceView): Labels {
  return s.key.kind === 'fwmark'
    ? { proto: 'fwm', vip: '', port: 0, fwmark: s.key.fwmark }
    : { proto: s.key.proto, vip: s.key.vip, port: s.key.port, fwmark: 0 };
}

export function createMetricsRegistry(director: DirectorControl): Registry {
  const registry = new Registry();
  const svcLabels = ['proto', 'vip', 'port', 'fwmark'];
  const destLabels = [...svcLabels, 'server', 'server_port'];
  /**
   * A metric whose values are read from the director at each scrape: a counter mirrors a
   * total kept elsewhere (prom-client counters only go up, so it is reset and re-filled).
   */
  const metric = (
    kind: 'counter' | 'gauge',
    name: string,
    help: string,
    labelNames: string[],
    read: (set: (l: Labels, v: number) => void) => void,
  ): void => {
    if (kind === 'counter') {
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
    } else {
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
  };
  const mirrored = (
    name: string,
    help: string,
    labelNames: string[],
    read: (set: (l: Labels, v: number) => void) => void,
  ): void => metric('counter', name, help, labelNames, read);
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    read: (set: (l: Labels, v: number) => void) => void,
  ): void => metric('gauge', name, help, labelNames, read);
  const eachService =
    (f: (s: ServiceView, set: (l: Labels, v: number) => void) => void) =>
    (set: (l: Labels, v: number) => void) => {
      for (const s of director.services()) f(s, set);
    };
  const eachDest =
    (
      f: (
        s: ServiceView,
        d: ServiceView['dests'][number],
        l: Labels,
        set: (l: Labels, v: number) => void,
      ) => void,
    ) =>
    (set: (l: Labels, v: number) => void) => {
      for (const s of director.services())
        for (const d of s.dests)
          f(s, d, { ...serviceLabels(s), server: d.addr, server_port: d.port }, set);
    };

  mirrored(
    'uvs_service_connections_total',
    'Connections scheduled by a virtual service (ipvsadm --stats Conns)',
    svcLabels,
    eachService((s, set) => set(serviceLabels(s), s.stats.conns)),
  );
  mirrored(
    'uvs_service_packets_total',
    'Packets of a virtual service (InPkts/OutPkts)',
    [...svcLabels, 'direction'],
    eachService((s, set) => {
      set({ ...serviceLabels(s), direction: 'in' }, s.stats.inPkts);
      set({ ...serviceLabels(s), direction: 'out' }, s.stats.outPkts);
    }),
  );
  mirrored(
    'uvs_service_bytes_total',
    'Bytes of a virtual service (InBytes/OutBytes)',
    [...svcLabels, 'direction'],
    eachService((s, set) => {
      set({ ...serviceLabels(s), direction: 'in' }, s.stats.inBytes);
      set({ ...serviceLabels(s), direction: 'out' }, s.stats.outBytes);
    }),
  );
  gauge(
    'uvs_service_rate',
    'Rates of a virtual service as ipvsadm --rate (cps, inpps, outpps, inbps, outbps)',
    [...svcLabels, 'rate'],
    eachService((s, set) => {
      for (const [k, v] of Object.entries(s.rate))
        set({ ...serviceLabels(s), rate: k.toLowerCase() }, v);
    }),
  );
  mirrored(
    'uvs_server_connections_total',
    'Connections scheduled to a real server',
    destLabels,
    eachDest((_s, d, l, set) => set(l, d.stats.conns)),
  );
  mirrored(
    'uvs_server_packets_total',
    'Packets of a real server',
    [...destLabels, 'direction'],
    eachDest((_s, d, l, set) => {
      set({ ...l, direction: 'in' }, d.stats.inPkts);
      set({ ...l, direction: 'out' }, d.stats.outPkts);
    }),
  );
  mirrored(
    'uvs_server_bytes_total',
    'Bytes of a real server',
    [...destLabels, 'direction'],
    eachDest((_s, d, l, set) => {
      set({ ...l, direction: 'in' }, d.stats.inBytes);
      set({ ...l, direction: 'out' }, d.stats.outBytes);
    }),
  );
  gauge(
    'uvs_server_connections',
    'Current connections of a real server (ActiveConn, InActConn, PersistConn)',
    [...destLabels, 'state'],
    eachDest((_s, d, l, set) => {
      set({ ...l, state: 'active' }, d.activeConns);
      set({ ...l, state: 'inactive' }, d.inactiveConns);
      set({ ...l, state: 'persistent' }, d.persistentConns);
    }),
  );
  gauge(
    'uvs_server_weight',
    'Weight of a real server',
    destLabels,
    eachDest((_s, d, l, set) => set(l, d.weight)),
  );

  const counters = (): Readonly<Record<string, number>> => director.counters();
  gauge(
    'uvs_connection_table_entries',
    'Entries of the connection table (connections and persistence templates)',
    [],
    (set) => set({}, counters()['connections'] ?? 0),
  );
  mirrored('uvs_frames_total', 'Frames the engine handled, by result', ['result'], (set) => {
    const c = counters();
    for (const r of ['forwarded', 'replied', 'not_ours', 'frag_needed'])
      set({ result: r }, c[r] ?? 0);
  });
  mirrored(
    'uvs_frames_dropped_total',
    'Frames the engine dropped, by reason',
    ['reason'],
    (set) => {
      for (const [k, v] of Object.entries(counters()))
        if (k.startsWith('drop.')) set({ reason: k.slice(5) }, v);
    },
  );
  mirrored(
    'uvs_io_frames_total',
    'Frames received and sent by the io backend',
    ['direction'],
    (set) => {
      const c = counters();
      set({ direction: 'rx' }, c['io.rxFrames'] ?? 0);
      set({ direction: 'tx' }, c['io.txFrames'] ?? 0);
    },
  );
  mirrored(
    'uvs_io_bytes_total',
    'Bytes received and sent by the io backend',
    ['direction'],
    (set) => {
      const c = counters();
      set({ direction: 'rx' }, c['io.rxBytes'] ?? 0);
      set({ direction: 'tx' }, c['io.txBytes'] ?? 0);
    },
  );
  mirrored(
    'uvs_io_errors_total',
    'Send failures and truncated captures of the io backend',
    ['kind'],
    (set) => {
      const c = counters();
      set({ kind: 'tx' }, c['io.txErrors'] ?? 0);
      set({ kind: 'rx_truncated' }, c['io.rxTruncated'] ?? 0);
    },
  );
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
