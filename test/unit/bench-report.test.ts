// The bench's pure reporting: best of the rounds, latency added over routing, ratios, the
// targets of issue 9, the SVG chart and RESULTS.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregate, kernelPath, ratioTo, type Sample } from '../../bench/report/result.js';
import { renderResultsMd, type RunInfo } from '../../bench/report/results-md.js';
import { percentile } from '../../bench/report/stats.js';
import { escapeXml, renderSvg } from '../../bench/report/svg-chart.js';
import { checkTargets, marginText, TARGETS } from '../../bench/report/targets.js';

const UVS = { io: 'pcap', workers: 1 } as const;
const NONE = { io: null, workers: null } as const;

function s(
  path: string,
  workload: string,
  round: number,
  value: number | null,
  id = NONE as { io: string | null; workers: number | null },
  note?: string,
): Sample {
  return { path, ...id, workload, round, value, ...(note !== undefined ? { note } : {}) };
}

/** Two rounds of a small run: kernel-nat, haproxy, routing and uvs-nat. */
const SAMPLES: Sample[] = [
  s('routing', 'keepalive-rps', 1, 30000),
  s('routing', 'keepalive-rps', 2, 31000),
  s('kernel-nat', 'keepalive-rps', 1, 20000),
  s('kernel-nat', 'keepalive-rps', 2, 19000),
  s('haproxy', 'keepalive-rps', 1, 16000),
  s('haproxy', 'keepalive-rps', 2, 18000),
  s('uvs-nat', 'keepalive-rps', 2, 17000, UVS),
  s('uvs-nat', 'keepalive-rps', 1, 19000, UVS),
  s('routing', 'latency-us', 1, 40),
  s('routing', 'latency-us', 2, 30),
  s('uvs-nat', 'latency-us', 1, 60, UVS),
  s('uvs-nat', 'latency-us', 2, 50, UVS),
  s('uvs-nat', 'udp-pps', 1, null, UVS, 'failed: udp-blast'),
  s('uvs-nat', 'udp-pps', 2, 40000, UVS),
  s('kernel-nat', 'udp-pps', 1, 50000),
  s(
    'uvs-dr',
    'keepalive-rps',
    1,
    null,
    { io: 'afpacket', workers: 2 },
    'uvsd refused --io afpacket',
  ),
  s(
    'uvs-dr',
    'keepalive-rps',
    2,
    null,
    { io: 'afpacket', workers: 2 },
    'uvsd refused --io afpacket',
  ),
];

test('aggregate keeps the highest throughput and the lowest latency of the rounds, rounds in order', () => {
  const r = aggregate(SAMPLES);
  const get = (path: string, w: string) => r.find((x) => x.path === path && x.workload === w)!;
  assert.equal(get('kernel-nat', 'keepalive-rps').value, 20000);
  assert.deepEqual(get('uvs-nat', 'keepalive-rps').rounds, [19000, 17000]);
  assert.equal(get('uvs-nat', 'keepalive-rps').value, 19000);
  assert.equal(get('uvs-nat', 'keepalive-rps').unit, 'req/s');
  assert.equal(get('routing', 'latency-us').value, 30);
  assert.equal(get('uvs-nat', 'latency-us').value, 50);
  // A failed round leaves the others; its note stays.
  assert.equal(get('uvs-nat', 'udp-pps').value, 40000);
  assert.deepEqual(get('uvs-nat', 'udp-pps').rounds, [null, 40000]);
  assert.equal(get('uvs-nat', 'udp-pps').note, 'failed: udp-blast');
  // A path that never ran is null, not zero, with one copy of its reason.
  assert.equal(get('uvs-dr', 'keepalive-rps').value, null);
  assert.equal(get('uvs-dr', 'keepalive-rps').note, 'uvsd refused --io afpacket');
  assert.equal(get('uvs-nat', 'keepalive-rps').io, 'pcap');
});

test('latency added is a path best median minus routing best median', () => {
  const r = aggregate(SAMPLES);
  const added = r.filter((x) => x.workload === 'latency-added-us');
  assert.deepEqual(
    added.map((x) => [x.path, x.value]),
    [['uvs-nat', 20]],
  );
  const noRouting = aggregate(SAMPLES.filter((x) => x.path !== 'routing'));
  const a = noRouting.find((x) => x.workload === 'latency-added-us')!;
  assert.equal(a.value, null);
  assert.equal(a.note, 'routing was not measured');
});

test('ratios are to the same workload of the reference path; kernel-ipvs replaces kernel-nat when measured', () => {
  const r = aggregate(SAMPLES);
  const uvs = r.find((x) => x.path === 'uvs-nat' && x.workload === 'keepalive-rps')!;
  assert.equal(kernelPath(r), 'kernel-nat');
  assert.equal(ratioTo(r, uvs, 'kernel-nat'), 19000 / 20000);
  assert.equal(ratioTo(r, uvs, 'haproxy'), 19000 / 18000);
  const udp = r.find((x) => x.path === 'uvs-nat' && x.workload === 'udp-pps')!;
  assert.equal(ratioTo(r, udp, 'haproxy'), null);
  const withIpvs = aggregate([...SAMPLES, s('kernel-ipvs', 'keepalive-rps', 1, 25000)]);
  assert.equal(kernelPath(withIpvs), 'kernel-ipvs');
});

test('targets: met, missed with the shortfall, and not measured', () => {
  const checks = checkTargets(aggregate(SAMPLES));
  const find = (text: string, subject?: string) =>
    checks.find((c) => c.target.text === text && (subject === undefined || c.subject === subject))!;
  const ka = find('NAT keepalive-rps ≥ 0.9x kernel');
  assert.equal(ka.subject, 'uvs-nat (pcap, 1 worker)');
  assert.equal(ka.actual, 0.95);
  assert.equal(ka.met, true);
  assert.equal(ka.margin, '6% better than required');
  const hap = find('NAT keepalive-rps ≥ haproxy');
  assert.equal(hap.met, true);
  const udp = find('NAT udp-pps ≥ 0.9x kernel');
  assert.equal(udp.actual, 0.8);
  assert.equal(udp.met, false);
  assert.equal(udp.margin, '11% short');
  const lat = find('NAT latency added ≤ 15 µs');
  assert.equal(lat.actual, 20);
  assert.equal(lat.met, false);
  assert.equal(lat.margin, '5 µs over the limit (33%)');
  const dr = find('DR keepalive-rps ≥ 1.0x kernel');
  assert.equal(dr.met, null);
  assert.equal(dr.margin, 'uvsd refused --io afpacket');
  const engine = find('engine ≥ 10 M frames/s on one core');
  assert.equal(engine.met, null);
  assert.equal(engine.margin, 'not measured');
  // Every target appears at least once, met or not.
  for (const t of TARGETS)
    assert.ok(
      checks.some((c) => c.target === t),
      t.text,
    );
});

test('margins of "at most" targets say how far under or over the limit', () => {
  const bytes = TARGETS.find((t) => t.workload === 'bytes-per-conn')!;
  assert.equal(marginText(bytes, 150), '50 bytes under the limit');
  assert.equal(marginText(bytes, 300), '100 bytes over the limit (50%)');
  const lookup = TARGETS.find((t) => t.workload === 'lookup-cost-1m-vs-1k')!;
  assert.equal(marginText(lookup, 1.5), '0.2x over the limit (15%)');
});

test('the SVG has one bar per measured result, its path colour, widths to scale, text escaped', () => {
  const results = aggregate(SAMPLES);
  const svg = renderSvg(results, 'run <1> & "2"');
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.ok(svg.includes('run &#60;1&#62; &#38; &#34;2&#34;'));
  const bars = [
    ...svg.matchAll(
      /<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="16" fill="(#[0-9a-f]{6})"\/>/g,
    ),
  ];
  const measured = results.filter((r) => r.value !== null && r.workload !== 'latency-p99-us');
  assert.equal(bars.length, measured.length);
  // keepalive-rps panel: routing (31000) is the widest bar, kernel-nat (20000) 20/31 of it.
  const widths = bars.slice(0, 4).map((b) => Number(b[1]));
  assert.ok(Math.abs(widths[1]! / widths[0]! - 20000 / 31000) < 0.01);
  assert.equal(bars[1]![2], '#1565c0');
  assert.ok(svg.includes('not available'));
  assert.equal(escapeXml(`a<b>&'"`), 'a&#60;b&#62;&#38;&#39;&#34;');
});

test('percentile picks by nearest rank', () => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 0.5), 50);
  assert.equal(percentile(sorted, 0.99), 99);
  assert.equal(percentile(sorted, 1), 100);
  assert.equal(percentile(new Float64Array(0), 0.5), 0);
});

const RUN: RunInfo = {
  date: '2026-11-25T04:00:00.000Z',
  command: 'npm run bench -- --quick',
  mode: 'quick',
  rounds: 2,
  seconds: 3,
  elapsedS: 300,
  machine: {
    cores: 2,
    cpuModel: 'Test CPU',
    kernel: '6.18.0',
    node: 'v20.20.2',
    loadAtStart: [3.5, 2, 1],
    memoryGiB: 23.5,
    tools: ['wrk 4.1.0'],
  },
  offloadDefaults: 'rx on tx on',
  notes: ['This kernel has no ip_vs.'],
};

test('RESULTS.md names the command, the machine, the targets and the ratios', () => {
  const results = aggregate(SAMPLES);
  const md = renderResultsMd(RUN, results, checkTargets(results));
  assert.ok(md.includes('Made by `npm run bench -- --quick` on 2026-11-25T04:00:00.000Z'));
  assert.ok(md.includes('**The machine was not idle** (load 3.50 on 2 cores'));
  assert.ok(md.includes('| cores | 2 × Test CPU |'));
  assert.ok(
    md.includes(
      '| NAT udp-pps ≥ 0.9x kernel | uvs-nat (pcap, 1 worker) | 0.80x kernel | **missed** | 11% short |',
    ),
  );
  assert.ok(md.includes('| uvs-nat (pcap, 1 worker) | 19.0k | 0.95 | 1.06 | 19.0k, 17.0k |'));
  assert.ok(
    md.includes(
      '- uvs-dr (afpacket, 2 workers) keepalive-rps: not available: uvsd refused --io afpacket',
    ),
  );
  assert.ok(md.includes('- This kernel has no ip_vs.'));
  const idle = renderResultsMd(
    { ...RUN, machine: { ...RUN.machine, loadAtStart: [0.1, 0.1, 0.1] } },
    results,
    [],
  );
  assert.ok(!idle.includes('not idle'));
});
