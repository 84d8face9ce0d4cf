// The kernel guard: the director's kernel holds the VIP (as the course configures it) and
// forwards (ip_forward=1), yet the client sees neither RSTs nor duplicate frames, because
// uvsd's nftables table drops at ingress what uvsd forwards. The control experiment runs
// uvsd without the guard and shows the kernel's interference.
//
//   client ── lan10 ── eth1 [director: VIP on eth1, ip_forward=1] eth2 ── lan20 ── S1, S2
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Lab } from '../../src/lab/lab.js';
import type { StartedProcess } from '../../src/lab/topology.js';
import { capture, fetchPages, natLab } from './helpers/nat-lab.js';

let lab: Lab;

before(() => {
  lab = natLab();
  lab.build();
});

after(() => lab.destroy());

async function runDirector(
  args: string[],
  during: () => string[],
): Promise<{ lines: string[]; pages: string[] }> {
  const uvsd: StartedProcess = lab.startDirector(args);
  try {
    lab.configure();
    let pages: string[] = [];
    const lines = await capture(lab, 'client', 'eth0', 'tcp', () => {
      pages = during();
    });
    return { lines, pages };
  } finally {
    uvsd.child.kill('SIGTERM');
    await new Promise((r) => (uvsd.child.exitCode !== null ? r(null) : uvsd.child.once('exit', r)));
  }
}

test('without the guard, the director kernel interferes (control experiment)', async () => {
  const { lines } = await runDirector(['--no-kernel-guard'], () =>
    fetchPages(lab, 4, 'http://192.168.10.23/', 2),
  );
  const rstFromVip = lines.filter((l) => /192\.168\.10\.23\.80 > .*Flags \[R/.test(l));
  assert.ok(rstFromVip.length > 0, `expected the kernel's RSTs from the VIP:\n${lines.join('\n')}`);
});

test('with the guard: no RST, no frame from a real server address, no duplicate reaches the client', async () => {
  const { lines, pages } = await runDirector([], () =>
    fetchPages(lab, 6, 'http://192.168.10.23/', 3),
  );
  assert.ok(!pages.includes('FAIL'), `every request succeeds: ${pages.join(' | ')}`);
  assert.ok(lines.length >= 6 * 5, `the capture saw the traffic (${lines.length} lines)`);
  const fromVip = lines.filter((l) => / 192\.168\.10\.23\.80 > /.test(l));
  assert.ok(fromVip.length > 0);
  assert.deepEqual(
    fromVip.filter((l) => /Flags \[R/.test(l)),
    [],
    'no RST from the VIP',
  );
  assert.deepEqual(
    lines.filter((l) => / 192\.168\.20\.\d+\.\d+ > /.test(l)),
    [],
    'nothing from a real server address',
  );
  // A duplicate is the same segment twice (same endpoints, flags, seq, ack, length).
  const segments = fromVip.map((l) => l.replace(/^\S+\s+/, ''));
  assert.equal(new Set(segments).size, segments.length, 'no duplicate segment');
});
