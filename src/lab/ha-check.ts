// `uvs-lab ha --check`: who is master; pages through the VIP; a long numbered stream through
// NAT while the master's cables are pulled — the backup takes over (timed), the stream is
// checked line by line, new requests go through the new master; cables back, the higher
// priority preempts. Also `sync-status`, run inside a director: what its backup sync daemon
// holds, as -Lnc shows connections.
import { ControlClient } from '../control/control-client.js';
import { defaultSocketPath } from '../control/socket-path.js';
import type { ConnView } from '../engine/model.js';
import { listConnections } from '../ipvsadm/format-listing.js';
import type { SyncStats } from '../sync/sync-daemon.js';
import type { HaLab } from './ha-lab.js';
import { HA_DIRECTORS, HA_VIP, type HaDirector } from './maquette-ha.js';

/** The uvsd of this namespace: its sync counters and held connections, as text. */
export async function syncStatusText(): Promise<string> {
  const client = new ControlClient(defaultSocketPath());
  await client.connect();
  try {
    const s = await client.call<{ stats: SyncStats; held: ConnView[] }>('syncStatus');
    const fmt = {
      numeric: true,
      stats: false,
      rate: false,
      thresholds: false,
      persistentConn: false,
      exact: false,
      nosort: false,
    };
    return (
      `sync: ${s.stats.messagesSent} message(s) / ${s.stats.connsSent} connection(s) sent, ` +
      `${s.stats.messagesReceived} / ${s.stats.connsReceived} received\n` +
      listConnections(s.held, fmt)
    );
  } finally {
    client.close();
  }
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Lines of the numbered stream that arrived, and whether they are 1…n with none missing. */
export function streamComplete(output: string, n: number): { lines: number; whole: boolean } {
  const lines = output.split('\n').filter((l) => l !== '');
  const whole = lines.length === n && lines.every((l, k) => l === `line ${k + 1}`);
  return { lines: lines.length, whole };
}

export interface HaCheckResult {
  readonly ok: boolean;
  readonly report: string;
}

/** Which director holds both VIPs now (polled until one does, bounded). */
async function currentMaster(ha: HaLab, timeoutMs: number): Promise<HaDirector | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = HA_DIRECTORS.find((d) => ha.isMaster(d));
    if (m) return m;
    await pause(100);
  }
  return undefined;
}

function pages(ha: HaLab, n: number, lines: string[]): number {
  let failed = 0;
  for (let i = 1; i <= n; i++) {
    const r = ha.lab.curl('client', `http://${HA_VIP}/`);
    if (r.code !== 0) failed++;
    lines.push(
      `client$ curl http://${HA_VIP}/   # ${i}\n${r.code === 0 ? r.stdout.trim() : `FAILED: ${r.stderr.trim()}`}`,
    );
  }
  return failed;
}

/** The course's failover exercise, as `uvs-lab ha --check` shows it. */
export async function checkHa(ha: HaLab, streamLines = 400): Promise<HaCheckResult> {
  const out: string[] = [];
  const problems: string[] = [];
  const master = await currentMaster(ha, 15_000);
  if (!master) return { ok: false, report: 'check FAILED: no director became master within 15 s' };
  const backup = HA_DIRECTORS.find((d) => d !== master)!;
  out.push(
    `${master} is MASTER (holds ${ha.vipsHeld(master).join(', ')}); ${backup} is BACKUP (holds ${ha.vipsHeld(backup).join(', ') || 'nothing'})`,
  );
  if (pages(ha, 4, out) > 0) problems.push('requests failed before the failover');
  // A long numbered stream through NAT, across the failover.
  const stream = ha.lab.topo.start('client', 'curl', [
    '-sS',
    '--max-time',
    '45',
    `http://${HA_VIP}/lines?n=${streamLines}&ms=50`,
  ]);
  await pause(3000);
  out.push(`${master}$ uvsadm -Lnc\n${ha.uvsadm(master, ['-Lnc']).stdout}`);
  out.push(`${master}$ uvsadm -L --daemon\n${ha.uvsadm(master, ['-L', '--daemon']).stdout}`);
  out.push(`${backup}$ uvsadm -L --daemon\n${ha.uvsadm(backup, ['-L', '--daemon']).stdout}`);
  out.push(
    `${backup}: connections held from the master's sync messages\n${ha.syncHeld(backup).stdout}`,
  );
  out.push(`pulling ${master}'s cables (its two switch ports down) in the middle of the stream`);
  ha.cables(master, false);
  try {
    const took = await ha.waitMaster(backup, 10_000);
    out.push(`${backup} is MASTER ${(took / 1000).toFixed(1)} s after the cables were pulled`);
    out.push(`${backup}$ uvsadm -Ln\n${ha.uvsadm(backup, ['-Ln']).stdout}`);
    if (pages(ha, 2, out) > 0) problems.push('new requests failed through the backup');
    const code = await new Promise<number | null>((r) =>
      stream.child.exitCode !== null ? r(stream.child.exitCode) : stream.child.once('exit', r),
    );
    const s = streamComplete(stream.output().replace(/^curl:.*$/m, ''), streamLines);
    out.push(
      `client: the stream started before the failover ended with curl status ${code}, ${s.lines} of ${streamLines} lines${s.whole ? ', none missing' : ''}`,
    );
    if (code !== 0 || !s.whole) problems.push(`the stream through the failover broke`);
  } catch (err) {
    problems.push((err as Error).message);
  } finally {
    ha.cables(master, true);
  }
  try {
    const back = await ha.waitMaster(master, 10_000);
    out.push(`cables back: ${master} preempts, MASTER again after ${(back / 1000).toFixed(1)} s`);
  } catch (err) {
    problems.push((err as Error).message);
  }
  out.push(
    problems.length === 0
      ? 'check passed: failover with no request lost'
      : `check FAILED: ${problems.join('; ')}`,
  );
  return { ok: problems.length === 0, report: out.join('\n') };
}
