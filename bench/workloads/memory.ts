// bytes-per-conn: what uvsd's connection table costs per connection, with room for 1 M.
// uvsd (the first variant) is started with a 1 M table and its metrics, and asked, in this
// order of preference:
//  1. the gauge uvs_connection_table_bytes, divided by uvs_connection_table_capacity (or by
//     the size asked for): what the table itself holds;
//  2. its RSS before and after `uvsadm <fill>` (variants.json "memory.fill": a way to fill
//     the table with synthetic connections, once uvsd has one), divided by the entries that
//     uvs_connection_table_entries then counts.
// Neither available: "not available". No figure is ever estimated.
import { readFileSync } from 'node:fs';
import { UVSADM } from '../../src/lab/lab.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import type { PathEnv } from '../paths/path.js';
import { PathUnavailable } from '../paths/path.js';
import { startUvsd } from '../paths/uvs.js';
import type { Sample } from '../report/result.js';
import { runIn, sleep, stopChild } from '../run-in.js';
import { detectIo, type MemoryHooks, type UvsVariant } from '../variants.js';
import { metricValue } from './prometheus.js';

export const TABLE_SIZE = 1 << 20;
const METRICS_ADDR = '127.0.0.1:9199';
/** Fewer entries than this after a fill say more about the fill than about the table. */
const MIN_FILLED = 100_000;

export interface MemoryFigure {
  readonly value: number | null;
  readonly note: string;
}

/** The figure from uvsd's own gauge (pure); null value when uvsd does not export it. */
export function bytesPerConnection(exposition: string, askedSize: number): MemoryFigure {
  const bytes = metricValue(exposition, 'uvs_connection_table_bytes');
  if (bytes === undefined)
    return { value: null, note: 'uvsd exports no uvs_connection_table_bytes' };
  const capacity = metricValue(exposition, 'uvs_connection_table_capacity') ?? askedSize;
  const entries = metricValue(exposition, 'uvs_connection_table_entries') ?? 0;
  return {
    value: bytes / capacity,
    note: `uvs_connection_table_bytes ${bytes} for ${capacity} slots (${entries} in use)`,
  };
}

/** The figure from RSS around a fill (pure). */
export function rssPerConnection(
  beforeKiB: number,
  afterKiB: number,
  entries: number,
): MemoryFigure {
  const grown = `RSS ${Math.round(beforeKiB / 1024)} → ${Math.round(afterKiB / 1024)} MiB`;
  if (entries < MIN_FILLED)
    return {
      value: null,
      note: `the fill left ${entries} entries (${grown}): too few to divide by`,
    };
  return {
    value: ((afterKiB - beforeKiB) * 1024) / entries,
    note: `${grown} for ${entries} entries`,
  };
}

function rssKiB(pid: number | undefined): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid ?? 'self'}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for uvsd (pid ${pid})`);
  return Number(m[1]);
}

async function scrape(env: PathEnv): Promise<string> {
  const url = `http://${METRICS_ADDR}/metrics`;
  const r = await runIn(env.lab.ns('director'), 'curl', ['-sS', '--max-time', '5', url], 10_000);
  if (r.code !== 0) throw new Error(`no metrics from uvsd: ${r.stderr.trim()}`);
  return r.stdout;
}

async function ask(env: PathEnv, uvsd: StartedProcess, hooks: MemoryHooks): Promise<MemoryFigure> {
  const fromGauge = bytesPerConnection(await scrape(env), TABLE_SIZE);
  if (fromGauge.value !== null || hooks.fill === null)
    return hooks.fill === null && fromGauge.value === null
      ? {
          value: null,
          note: `${fromGauge.note}, and variants.json names no uvsadm fill (memory.fill) for RSS before/after`,
        }
      : fromGauge;
  await sleep(500);
  const before = rssKiB(uvsd.child.pid);
  const r = await runIn(env.lab.ns('director'), process.execPath, [UVSADM, ...hooks.fill], 300_000);
  if (r.code !== 0)
    return { value: null, note: `uvsadm ${hooks.fill.join(' ')} failed: ${r.stderr.trim()}` };
  await sleep(500);
  const entries = metricValue(await scrape(env), 'uvs_connection_table_entries') ?? 0;
  return rssPerConnection(before, rssKiB(uvsd.child.pid), entries);
}

export async function measureMemory(
  env: PathEnv,
  variant: UvsVariant,
  hooks: MemoryHooks,
): Promise<Sample> {
  const args = [
    ...variant.args,
    ...hooks.uvsdArgs,
    '--metrics',
    METRICS_ADDR,
    '--conn-table-size',
    String(TABLE_SIZE),
  ];
  const base = { path: 'uvs-nat', workload: 'bytes-per-conn', round: 1 };
  let uvsd: StartedProcess;
  try {
    uvsd = await startUvsd(env, args);
  } catch (err) {
    if (!(err instanceof PathUnavailable)) throw err;
    const { io, workers } = detectIo('', variant.args);
    return { ...base, io: io ?? variant.name, workers, value: null, note: err.message };
  }
  try {
    const { io, workers } = detectIo(uvsd.output(), variant.args);
    const id = { ...base, io: io ?? variant.name, workers };
    try {
      const fig = await ask(env, uvsd, hooks);
      return { ...id, value: fig.value, note: fig.note };
    } catch (err) {
      return { ...id, value: null, note: (err as Error).message };
    }
  } finally {
    await stopChild(uvsd.child);
  }
}
