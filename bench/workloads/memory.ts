// bytes-per-conn: what uvsd's connection table costs per connection, with room for 1 M.
// uvsd is started with a 1 M table and its metrics, and asked: the gauge
// uvs_connection_table_bytes (divided by uvs_connection_table_capacity, or by the size asked
// for) is the figure. A uvsd that does not export it gives "not available": the other way,
// its RSS before and after filling the table, needs a way to fill 1 M entries that uvsd does
// not offer yet. No figure is ever estimated.
import { readFileSync } from 'node:fs';
import type { PathEnv } from '../paths/path.js';
import { PathUnavailable } from '../paths/path.js';
import { startUvsd } from '../paths/uvs.js';
import type { Sample } from '../report/result.js';
import { runIn, stopChild } from '../run-in.js';
import { detectIo, type UvsVariant } from '../variants.js';
import { metricValue } from './prometheus.js';

export const TABLE_SIZE = 1 << 20;
const METRICS_ADDR = '127.0.0.1:9199';

export interface MemoryFigure {
  readonly value: number | null;
  readonly note: string;
}

/** The figure from a scrape (pure). */
export function bytesPerConnection(exposition: string, askedSize: number): MemoryFigure {
  const bytes = metricValue(exposition, 'uvs_connection_table_bytes');
  if (bytes === undefined)
    return {
      value: null,
      note:
        'uvsd exports no uvs_connection_table_bytes and has no way to fill its table with 1 M ' +
        'connections synthetically yet (RSS before/after), so nothing is measured',
    };
  const capacity = metricValue(exposition, 'uvs_connection_table_capacity') ?? askedSize;
  const entries = metricValue(exposition, 'uvs_connection_table_entries') ?? 0;
  return {
    value: bytes / capacity,
    note: `uvs_connection_table_bytes ${bytes} for ${capacity} slots (${entries} in use)`,
  };
}

function rssKiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : undefined;
}

export async function measureMemory(env: PathEnv, variant: UvsVariant): Promise<Sample> {
  const args = [
    ...variant.args,
    '--metrics',
    METRICS_ADDR,
    '--conn-table-size',
    String(TABLE_SIZE),
  ];
  const base = { path: 'uvs-nat', workload: 'bytes-per-conn', round: 1 };
  let uvsd;
  try {
    uvsd = await startUvsd(env, args);
  } catch (err) {
    const { io, workers } = detectIo('', variant.args);
    if (!(err instanceof PathUnavailable)) throw err;
    return { ...base, io: io ?? variant.name, workers, value: null, note: err.message };
  }
  try {
    const { io, workers } = detectIo(uvsd.output(), variant.args);
    const r = await runIn(
      env.lab.ns('director'),
      'curl',
      ['-sS', '--max-time', '5', `http://${METRICS_ADDR}/metrics`],
      10_000,
    );
    const id = { ...base, io: io ?? variant.name, workers };
    if (r.code !== 0)
      return { ...id, value: null, note: `no metrics from uvsd: ${r.stderr.trim()}` };
    const fig = bytesPerConnection(r.stdout, TABLE_SIZE);
    const rss = rssKiB(uvsd.child.pid);
    const note = `${fig.note}${rss === undefined ? '' : `; uvsd RSS ${Math.round(rss / 1024)} MiB`}`;
    return { ...id, value: fig.value, note };
  } finally {
    await stopChild(uvsd.child);
  }
}
