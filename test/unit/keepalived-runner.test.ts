// The keepalived layer (KeepalivedRunner, ManagedService) on a recording director, driven by
// the fake clock: inhibit_on_failure, quorum with hysteresis and its scripts, the sorry
// server, reload keeping checker verdicts (issue 11), ha_suspend. No test sleeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../src/clock/fake-clock.js';
import { parseKeepalivedText } from '../../src/keepalived/config.js';
import { KeepalivedRunner } from '../../src/keepalived/keepalived-runner.js';
import { Quorum } from '../../src/keepalived/quorum.js';
import { FakeCheckers, seededRandom } from './fixtures/fake-checkers.js';
import { RecordingDirector } from './fixtures/recording-director.js';

const VIP = '192.168.10.23';

function realServer(ip: string, extra = ''): string {
  return `  real_server ${ip} 80 {\n    weight 1\n${extra}    TCP_CHECK {\n      connect_timeout 1\n      retry 0\n    }\n  }\n`;
}

function conf(body: string, head = '  delay_loop 2\n  lb_algo rr\n'): string {
  return `virtual_server ${VIP} 80 {\n  lb_kind NAT\n  protocol TCP\n${head}${body}}\n`;
}

function setup(text: string) {
  const clock = new FakeClock();
  const checks = new FakeCheckers(clock);
  const director = new RecordingDirector(() => clock.now());
  const scripts: string[] = [];
  const logs: string[] = [];
  const current = { text };
  const runner = new KeepalivedRunner(
    'test.conf',
    director,
    (m) => logs.push(m),
    {
      clock,
      makeChecker: checks.make,
      random: seededRandom(7),
      runScript: (line) => scripts.push(line),
    },
    () => parseKeepalivedText(current.text, 'test.conf'),
  );
  return { clock, checks, director, scripts, logs, runner, current };
}

test('quorum with hysteresis: lost below quorum − hysteresis, regained at quorum + hysteresis', () => {
  const rows: [number, 'lost' | 'regained' | undefined, boolean][] = [
    [5, undefined, true],
    [3, undefined, true], // 3 is not below 4 − 1
    [2, 'lost', false],
    [4, undefined, false], // 4 is below 4 + 1
    [5, 'regained', true],
    [2, 'lost', false],
  ];
  const q = new Quorum(4, 1, 5);
  for (const [live, change, up] of rows) {
    assert.equal(q.update(live), change, `live ${live}`);
    assert.equal(q.up, up, `live ${live}`);
  }
  assert.equal(new Quorum(4, 1, 3).up, false, 'starts lost when the initial weight is short');
});

test('a DOWN real server leaves the table; with inhibit_on_failure it stays at weight 0', async () => {
  const t = setup(
    conf(realServer('192.168.20.1') + realServer('192.168.20.2', '    inhibit_on_failure\n')),
  );
  t.runner.load();
  assert.deepEqual(t.director.dests(), { '192.168.20.1:80': 1, '192.168.20.2:80': 1 });
  t.checks.down.add('192.168.20.1');
  t.checks.down.add('192.168.20.2');
  await t.clock.advanceAsync(10_000);
  assert.deepEqual(t.director.dests(), { '192.168.20.2:80': 0 });
  t.checks.down.clear();
  await t.clock.advanceAsync(4000);
  assert.deepEqual(t.director.dests(), { '192.168.20.1:80': 1, '192.168.20.2:80': 1 });
});

test('quorum lost: quorum_down runs and the sorry server takes new connections; regained: quorum_up', async () => {
  const t = setup(
    conf(
      realServer('192.168.20.1') + realServer('192.168.20.2'),
      '  delay_loop 2\n  lb_algo rr\n  quorum 2\n  hysteresis 0\n' +
        '  quorum_up "/bin/up"\n  quorum_down "/bin/down"\n  sorry_server 192.168.20.3 80\n',
    ),
  );
  t.runner.load();
  t.checks.down.add('192.168.20.2');
  await t.clock.advanceAsync(10_000);
  assert.deepEqual(t.scripts, ['/bin/down']);
  assert.deepEqual(t.director.dests(), { '192.168.20.3:80': 1 });
  t.checks.down.clear();
  await t.clock.advanceAsync(10_000);
  assert.deepEqual(t.scripts, ['/bin/down', '/bin/up']);
  assert.deepEqual(t.director.dests(), { '192.168.20.1:80': 1, '192.168.20.2:80': 1 });
});

test('reload with an edited virtual server: a real server held DOWN never comes back into the table (issue 11)', async () => {
  const body = realServer('192.168.20.1') + realServer('192.168.20.2');
  const t = setup(conf(body));
  t.runner.load();
  t.checks.down.add('192.168.20.1');
  await t.clock.advanceAsync(10_000);
  assert.deepEqual(t.director.dests(), { '192.168.20.2:80': 1 });
  const reloadedAt = t.clock.now();
  // The edit: another scheduler and delay_loop; the real servers and checkers are the same.
  t.current.text = conf(body, '  delay_loop 3\n  lb_algo wrr\n');
  t.runner.reload();
  await t.clock.advanceAsync(10_000);
  const after = t.director.ops.filter((o) => o.at >= reloadedAt);
  assert.ok(
    after.some((o) => o.op === 'editService'),
    'the service was edited in place',
  );
  assert.deepEqual(
    after.filter((o) => o.what === '192.168.20.1:80'),
    [],
    'S1 was neither added nor touched after the reload',
  );
  assert.deepEqual(t.director.dests(), { '192.168.20.2:80': 1 });
  // And it comes back when its checker passes again.
  t.checks.down.clear();
  await t.clock.advanceAsync(4000);
  assert.deepEqual(t.director.dests(), { '192.168.20.1:80': 1, '192.168.20.2:80': 1 });
});

test('ha_suspend: checkers stop while the VRRP instance holding the VIP is not master, resume when it is', async () => {
  const t = setup(conf(realServer('192.168.20.1'), '  delay_loop 2\n  lb_algo rr\n  ha_suspend\n'));
  t.runner.setVrrpVips(new Set([VIP]), new Set());
  t.runner.load();
  await t.clock.advanceAsync(10_000);
  assert.deepEqual(t.checks.attempts, [], 'no check while backup');
  t.runner.setVrrpVips(new Set([VIP]), new Set([VIP]));
  await t.clock.advanceAsync(10_000);
  const n = t.checks.attempts.length;
  assert.ok(n >= 5, `checks run while master (${n})`);
  t.runner.setVrrpVips(new Set([VIP]), new Set());
  await t.clock.advanceAsync(10_000);
  assert.equal(t.checks.attempts.length, n, 'suspended again');
  // A virtual server without ha_suspend, or on a VIP no VRRP instance manages, never stops.
  const plain = setup(conf(realServer('192.168.20.1')));
  plain.runner.setVrrpVips(new Set([VIP]), new Set());
  plain.runner.load();
  await plain.clock.advanceAsync(10_000);
  assert.ok(plain.checks.attempts.length >= 4);
});

test("reload with a real server's new weight: the new weight, not the old one, reaches the table", async () => {
  const t = setup(conf(realServer('192.168.20.1') + realServer('192.168.20.2')));
  t.runner.load();
  await t.clock.advanceAsync(5000);
  t.current.text = conf(
    realServer('192.168.20.1').replace('weight 1', 'weight 3') + realServer('192.168.20.2'),
    '  delay_loop 2\n  lb_algo wrr\n',
  );
  t.runner.reload();
  await t.clock.advanceAsync(5000);
  assert.deepEqual(t.director.dests(), { '192.168.20.1:80': 3, '192.168.20.2:80': 1 });
});
