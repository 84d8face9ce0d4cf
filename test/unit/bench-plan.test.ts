// The bench's plan: durations of --quick and of the full run, the time estimate (a computation
// from the plan, not a timing), and the configuration each path applies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { haproxyConfig } from '../../bench/paths/haproxy.js';
import { dnatRuleset, ipvsadmCommands } from '../../bench/paths/kernel.js';
import { uvsadmCommands } from '../../bench/paths/uvs.js';
import { durations, runEstimateS } from '../../bench/plan.js';
import { PATH_WORKLOADS } from '../../bench/report/workloads.js';

test('quick: 2 rounds of 3 s loads; full: 3 rounds of 10 s; options override', () => {
  assert.deepEqual(durations(true), { rounds: 2, wrkS: 3, shortS: 2, engineS: 2 });
  assert.deepEqual(durations(false), { rounds: 3, wrkS: 10, shortS: 5, engineS: 3 });
  assert.deepEqual(durations(true, 1, 1), { rounds: 1, wrkS: 1, shortS: 1, engineS: 2 });
});

test('the quick plan (6 paths, engine, memory) is planned well under 8 minutes', () => {
  const uvs = { setupEstimateS: 3, workloads: PATH_WORKLOADS };
  const paths = [
    { setupEstimateS: 0.5, workloads: PATH_WORKLOADS },
    { setupEstimateS: 0.5, workloads: PATH_WORKLOADS },
    { setupEstimateS: 1.5, workloads: PATH_WORKLOADS.filter((w) => w !== 'udp-pps') },
    uvs,
    uvs,
    { ...uvs, setupEstimateS: 4 },
  ];
  const estimate = runEstimateS(paths, durations(true), true, false, 8);
  assert.ok(estimate < 6 * 60, `${estimate} s`);
});

test('every balancer serves the same three services over the same two servers', () => {
  assert.equal(
    dnatRuleset(),
    `table ip uvsbench_nat {
  chain pre {
    type nat hook prerouting priority -100;
    ip daddr 10.2.0.100 tcp dport { 80, 7 } dnat to numgen inc mod 2 map { 0 : 10.3.0.1, 1 : 10.3.0.2 }
    ip daddr 10.2.0.100 udp dport 5001 dnat to numgen inc mod 2 map { 0 : 10.3.0.1, 1 : 10.3.0.2 }
  }
}
`,
  );
  assert.deepEqual(ipvsadmCommands().slice(0, 3), [
    ['-A', '-t', '10.2.0.100:80', '-s', 'rr'],
    ['-a', '-t', '10.2.0.100:80', '-r', '10.3.0.1:80', '-m'],
    ['-a', '-t', '10.2.0.100:80', '-r', '10.3.0.2:80', '-m'],
  ]);
  assert.equal(ipvsadmCommands().length, 9);
  const nat = uvsadmCommands('nat');
  assert.deepEqual(nat.slice(6), [
    ['-A', '-u', '10.2.0.100:5001', '-s', 'rr'],
    ['-a', '-u', '10.2.0.100:5001', '-r', '10.3.0.1:5001', '-m', '-w', '1'],
    ['-a', '-u', '10.2.0.100:5001', '-r', '10.3.0.2:5001', '-m', '-w', '1'],
  ]);
  assert.deepEqual(uvsadmCommands('dr')[1], [
    '-a',
    '-t',
    '10.2.0.101:80',
    '-r',
    '10.2.0.1:80',
    '-g',
    '-w',
    '1',
  ]);
  assert.deepEqual(uvsadmCommands('tun')[1], [
    '-a',
    '-t',
    '10.2.0.102:80',
    '-r',
    '10.2.0.1:80',
    '-i',
    '-w',
    '1',
  ]);
  const cfg = haproxyConfig();
  assert.match(
    cfg,
    /listen vip80\n {2}bind 10\.2\.0\.100:80\n {2}balance roundrobin\n {2}server s1 10\.3\.0\.1:80\n {2}server s2 10\.3\.0\.2:80/,
  );
  assert.match(cfg, /listen vip7\n {2}bind 10\.2\.0\.100:7/);
  assert.match(cfg, /mode tcp/);
});
