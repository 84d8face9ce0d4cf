// uvsadm --trace against the real director: a request's frames as received and as sent, the
// rewritten fields marked, with the method, real server and state (golden text, normalised where
// each run differs: times, MACs, the client's port, checksums); --write's two pcap files read
// back with tshark show the DNAT. NAT maquette, then DR (the MAC rewrite only).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Lab, UVSADM } from '../../src/lab/lab.js';
import {
  drMaquette,
  NAT_MAQUETTE,
  PAGE_S1,
  PAGE_S2,
  type Maquette,
} from '../../src/lab/maquette.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import { until } from '../helpers/poll.js';
import { tsharkFields } from './helpers/tshark.js';

const goldenPath = (name: string): string =>
  fileURLToPath(new URL(`../../../test/golden/${name}`, import.meta.url));

/** UPDATE_GOLDEN=1 rewrites the file (then review the diff). */
function checkGolden(name: string, text: string): void {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenPath(name), text);
  assert.equal(text, readFileSync(goldenPath(name), 'utf8'));
}

/**
 * What differs between runs, replaced at the same width (the columns stay aligned): record
 * numbers (renumbered from #1; single digits in the golden text), times,
 * MAC addresses (numbered by first appearance), the client's port, checksums, and which of
 * S1/S2 the scheduler chose (192.168.20.N).
 */
function normalise(text: string, clientPort: string): string {
  const macs = new Map<string, string>();
  const seqs = new Map<string, string>();
  return text
    .replace(/^#\d+/gm, (m) => {
      if (!seqs.has(m)) seqs.set(m, `#${seqs.size + 1}`);
      return seqs.get(m)!;
    })
    .replace(/\d\d:\d\d:\d\d\.\d{6}/g, 'HH:MM:SS.uuuuuu')
    .replace(/\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/g, (m) => {
      if (!macs.has(m)) macs.set(m, `mac:00:00:00:00:${String(macs.size + 1).padStart(2, '0')}`);
      return macs.get(m)!;
    })
    .replaceAll(clientPort, 'CPORT')
    .replace(/sum 0x[0-9a-f]{4}/g, 'sum 0x____')
    .replace(/\b192\.168\.20\.[12]\b/g, '192.168.20.N');
}

/** The trace's lines of the first connection (its first `frames` frames: two lines each). */
function firstFrames(out: string, frames: number): { text: string; clientPort: string } {
  const lines = out.split('\n').filter((l) => /^#\d+ /.test(l));
  const syn = lines.find((l) => / in .* \[S\] /.test(l));
  assert.ok(syn, `a SYN in the trace:\n${out}`);
  const clientPort = /tcp (\d+) > /.exec(syn)![1]!;
  const ofConn = lines.filter((l) => l.includes(` ${clientPort} `));
  return { text: `${ofConn.slice(0, frames * 2).join('\n')}\n`, clientPort };
}

async function traced(
  lab: Lab,
  service: string,
  prefix: string,
  request: () => void,
): Promise<string> {
  const p: StartedProcess = lab.startIn('director', 'trace', process.execPath, [
    UVSADM,
    '--trace',
    '-t',
    service,
    '--write',
    prefix,
  ]);
  // The session opens when uvsadm has reached uvsd: request until a SYN shows.
  await until(
    () => {
      request();
      return /\[S\]/.test(p.output());
    },
    { what: 'a SYN in the trace', timeoutMs: 10_000, lastSeen: () => p.output() },
  );
  request();
  await until(() => (p.output().match(/ \[F\.?\] /g) ?? []).length >= 2, {
    what: 'the connection closing in the trace',
    timeoutMs: 5000,
    lastSeen: () => p.output(),
  });
  const exited = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
  p.child.kill('SIGINT');
  await exited;
  return p.output();
}

/** The fields of the capture's client SYNs, tab-separated, one line per frame. */
function synFields(file: string, fields: string[]): string[] {
  return tsharkFields(file, 'tcp.flags.syn == 1 && tcp.flags.ack == 0', fields).map((r) =>
    r.join('\t'),
  );
}

async function withLab(
  m: Maquette,
  name: string,
  body: (lab: Lab, dir: string) => Promise<void>,
): Promise<void> {
  const lab = new Lab(m, `uvtr${process.pid.toString(36)}${name}`);
  const dir = mkdtempSync(join(tmpdir(), 'uvs-trace-'));
  try {
    lab.build();
    lab.startDirector();
    lab.configure();
    await body(lab, dir);
  } finally {
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('NAT: the trace shows the DNAT and the reply rewritten back (golden); the pcap files read with tshark', async () => {
  await withLab(NAT_MAQUETTE, 'n', async (lab, dir) => {
    const prefix = join(dir, 'nat');
    const pages: string[] = [];
    const out = await traced(lab, '192.168.10.23:80', prefix, () => {
      const r = lab.curl('client', 'http://192.168.10.23/', 3);
      pages.push(r.stdout.trim());
    });
    assert.ok(
      pages.every((p) => p === PAGE_S1 || p === PAGE_S2),
      pages.join(' | '),
    );
    const { text, clientPort } = firstFrames(out, 2);
    checkGolden('trace-live-nat.txt', normalise(text, clientPort));
    assert.match(out, /wrote .*nat-in\.pcap and .*nat-out\.pcap/);
    // In: client → VIP:80. Out: the same client → a real server's address, port 80.
    const fields = ['ip.src', 'ip.dst', 'tcp.dstport'];
    const ins = synFields(`${prefix}-in.pcap`, fields);
    const outs = synFields(`${prefix}-out.pcap`, fields);
    assert.ok(
      ins.length >= 1 && ins.every((l) => l === '192.168.10.1\t192.168.10.23\t80'),
      ins.join('\n'),
    );
    assert.equal(outs.length, ins.length);
    assert.ok(
      outs.every((l) => /^192\.168\.10\.1\t192\.168\.20\.[12]\t80$/.test(l)),
      outs.join('\n'),
    );
  });
});

test('DR: the trace shows the MACs rewritten and the TTL decremented, and the method Route', async () => {
  await withLab(drMaquette('sysctl'), 'd', async (lab, dir) => {
    const out = await traced(lab, '192.168.20.23:80', join(dir, 'dr'), () => {
      lab.curl('client', 'http://192.168.20.23/', 3);
    });
    const { text, clientPort } = firstFrames(out, 1);
    checkGolden('trace-live-dr.txt', normalise(text, clientPort));
    assert.match(text, / Route rs 192\.168\.20\.[12]:80 SYN_RECV$/m);
  });
});
