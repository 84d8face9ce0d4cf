// What each workload measures, its unit and which way is better (pure data).

export type Better = 'higher' | 'lower';

export interface WorkloadSpec {
  readonly unit: string;
  readonly better: Better;
  /** Heading in RESULTS.md and the chart. */
  readonly title: string;
}

/** Workloads run against a path, in the order they run. */
export const PATH_WORKLOADS = [
  'keepalive-rps',
  'new-conn-rps',
  'bulk-MBps',
  'udp-pps',
  'latency-us',
] as const;
export type PathWorkload = (typeof PATH_WORKLOADS)[number];

export const WORKLOADS: Readonly<Record<string, WorkloadSpec>> = {
  'keepalive-rps': {
    unit: 'req/s',
    better: 'higher',
    title: 'keep-alive requests/s (wrk -t2 -c32, small page)',
  },
  'new-conn-rps': {
    unit: 'req/s',
    better: 'higher',
    title: 'new connections/s (wrk -t2 -c32, Connection: close)',
  },
  'bulk-MBps': {
    unit: 'MiB/s',
    better: 'higher',
    title: '1 MiB downloads, MiB/s (wrk -t2 -c4)',
  },
  'udp-pps': {
    unit: 'datagrams/s',
    better: 'higher',
    title: '64-byte UDP datagrams received/s at the servers',
  },
  'latency-us': {
    unit: 'µs',
    better: 'lower',
    title: 'round trip on one connection, median (µs)',
  },
  'latency-p99-us': {
    unit: 'µs',
    better: 'lower',
    title: 'round trip on one connection, p99 (µs)',
  },
  'latency-added-us': {
    unit: 'µs',
    better: 'lower',
    title: 'latency added over routing, median (µs)',
  },
  'engine-mpps': {
    unit: 'M frames/s',
    better: 'higher',
    title: 'engine alone, established NAT frames (M/s, one core)',
  },
  'lookup-cost-1m-vs-1k': {
    unit: '×',
    better: 'lower',
    title: 'engine frame cost with 1 M connections ÷ with 1 k',
  },
  'gc-10s': {
    unit: 'collections',
    better: 'lower',
    title: 'garbage collections in uvsd during 10 s of keep-alive load',
  },
  'bytes-per-conn': {
    unit: 'bytes',
    better: 'lower',
    title: 'memory per connection with 1 M connections',
  },
};

/** Workloads in the order of the tables and the chart's panels (pure). */
export function inWorkloadOrder(names: Iterable<string>): string[] {
  const order = Object.keys(WORKLOADS);
  return [...new Set(names)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

export function workloadSpec(name: string): WorkloadSpec {
  const spec = WORKLOADS[name];
  if (!spec) throw new Error(`unknown workload "${name}"`);
  return spec;
}
