// The bench's readers of other programs' output and of its own configuration: wrk's summary,
// engine-micro's line, uvsd's metrics and start line, ethtool -k, variants.json, the options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBenchArgs } from '../../bench/bench-args.js';
import { featureArgs } from '../../bench/offload-profile.js';
import { parseBenchOptions } from '../../bench/options.js';
import { detectIo, parseVariants } from '../../bench/variants.js';
import { parseEngineMicro } from '../../bench/workloads/engine.js';
import { bytesPerConnection } from '../../bench/workloads/memory.js';
import { metricValue } from '../../bench/workloads/prometheus.js';
import { parseWrk, wrkArgs } from '../../bench/workloads/wrk.js';

const WRK_OK = `Running 3s test @ http://10.2.0.100:80/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.10ms  412.00us   9.87ms   80.00%
    Req/Sec    10.53k     1.01k   12.20k    66.67%
  62834 requests in 3.00s, 19.12MB read
Requests/sec:  20944.12
Transfer/sec:      6.37MB
`;
const WRK_ERRORS = `Running 3s test @ http://10.2.0.100:80/1m.bin
  2 threads and 4 connections
  283 requests in 3.01s, 283.07MB read
  Socket errors: connect 0, read 12, write 1, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:     94.02
Transfer/sec:     94.04MB
`;

test('wrk: requests/s, transfer in binary units, errors summed', () => {
  const ok = parseWrk(WRK_OK);
  assert.equal(ok.requestsPerS, 20944.12);
  assert.equal(ok.bytesPerS, 6.37 * 2 ** 20);
  assert.equal(ok.requests, 62834);
  assert.equal(ok.socketErrors, 0);
  assert.equal(ok.non2xx, 0);
  const bad = parseWrk(WRK_ERRORS);
  assert.equal(bad.socketErrors, 16);
  assert.equal(bad.non2xx, 7);
  assert.equal(bad.bytesPerS / 2 ** 20, 94.04);
  assert.throws(
    () => parseWrk('unable to connect to 10.2.0.100:80 Connection refused'),
    /wrk printed no summary/,
  );
});

test('wrk arguments per workload', () => {
  assert.deepEqual(wrkArgs('keepalive-rps', '10.2.0.100', 3), [
    '-t2',
    '-d3s',
    '--timeout',
    '2s',
    '-c32',
    'http://10.2.0.100:80/',
  ]);
  assert.deepEqual(wrkArgs('new-conn-rps', '10.2.0.1', 10).slice(4), [
    '-c32',
    '-H',
    'Connection: close',
    'http://10.2.0.1:80/',
  ]);
  assert.deepEqual(wrkArgs('bulk-MBps', '10.2.0.1', 10).slice(4), [
    '-c4',
    'http://10.2.0.1:80/1m.bin',
  ]);
});

test("engine-micro's established NAT line, with thousands separators, and its drops", () => {
  const out =
    'command: node dist/bench/engine-micro.js\nnew connections: 178,099 /s\nestablished NAT frames: 3,564,282 /s (incl. a 566-byte copy per frame)\n';
  assert.deepEqual(parseEngineMicro(out), { framesPerS: 3564282, dropped: 0 });
  assert.deepEqual(parseEngineMicro(`${out}forwarded 786432, dropped 1013568\n`), {
    framesPerS: 3564282,
    dropped: 1013568,
  });
  assert.throws(
    () => parseEngineMicro('new connections: 1 /s'),
    /no "established NAT frames" line/,
  );
});

const METRICS = `# HELP uvs_connection_table_entries Entries
# TYPE uvs_connection_table_entries gauge
uvs_connection_table_entries 1000
uvs_frames_total{result="forwarded"} 10
uvs_frames_total{result="replied"} 5
`;

test('metrics: summed over label sets, absent when not exported', () => {
  assert.equal(metricValue(METRICS, 'uvs_frames_total'), 15);
  assert.equal(metricValue(METRICS, 'uvs_connection_table_entries'), 1000);
  assert.equal(metricValue(METRICS, 'uvs_connection_table_bytes'), undefined);
  assert.equal(metricValue(METRICS, 'uvs_frames'), undefined);
});

test('bytes per connection: not available without the table-bytes gauge, never estimated', () => {
  const none = bytesPerConnection(METRICS, 1 << 20);
  assert.equal(none.value, null);
  assert.match(none.note, /no uvs_connection_table_bytes/);
  const withBytes = bytesPerConnection(`${METRICS}uvs_connection_table_bytes 67108864\n`, 1 << 20);
  assert.equal(withBytes.value, 64);
  const withCapacity = bytesPerConnection(
    `${METRICS}uvs_connection_table_bytes 67108864\nuvs_connection_table_capacity 524288\n`,
    1 << 20,
  );
  assert.equal(withCapacity.value, 128);
});

test('ethtool -k: the managed features as ethtool -K arguments', () => {
  const text = `Features for eth0:
rx-checksumming: on
tx-checksumming: on
\ttx-checksum-ip-generic: on
scatter-gather: on
tcp-segmentation-offload: off
generic-segmentation-offload: on
generic-receive-offload: off
large-receive-offload: off [fixed]
`;
  assert.deepEqual(featureArgs(text), [
    'rx',
    'on',
    'tx',
    'on',
    'sg',
    'on',
    'tso',
    'off',
    'gso',
    'on',
    'gro',
    'off',
  ]);
});

test('variants.json: read, defaults, errors naming the file and the entry', () => {
  const v = parseVariants(
    '{"quick":[{"name":"default","args":[]}],"full":[{"name":"afp-2","args":["--io","afpacket","--workers","2"],"modes":["nat"]}]}',
    'v.json',
  );
  assert.deepEqual(v.quick[0], { name: 'default', args: [], modes: ['nat', 'dr', 'tun'] });
  assert.deepEqual(v.full[0]!.modes, ['nat']);
  assert.deepEqual(v.memory, { uvsdArgs: [], fill: null });
  const hooks = parseVariants(
    '{"quick":[{"name":"d","args":[]}],"full":[{"name":"d","args":[]}],"memory":{"uvsdArgs":["--x"],"fill":["--fill","1000000"]}}',
    'v.json',
  );
  assert.deepEqual(hooks.memory, { uvsdArgs: ['--x'], fill: ['--fill', '1000000'] });
  const bad: [string, RegExp][] = [
    ['{', /v\.json: not JSON/],
    ['{"quick":[]}', /v\.json: quick: expected a non-empty array/],
    [
      '{"quick":[{"name":"a","args":[1]}],"full":[{"name":"b","args":[]}]}',
      /quick\[0\] \(a\): "args" must be an array of strings/,
    ],
    [
      '{"quick":[{"name":"a","args":[],"modes":["lvs"]}],"full":[{"name":"b","args":[]}]}',
      /"modes" must list some of nat, dr, tun/,
    ],
    [
      '{"quick":[{"name":"a","args":[]},{"name":"a","args":[]}],"full":[{"name":"b","args":[]}]}',
      /quick\[1\]: name "a" used twice/,
    ],
    [
      '{"quick":[{"name":"a","args":[],"worker":2}],"full":[{"name":"b","args":[]}]}',
      /unknown key "worker"/,
    ],
  ];
  bad.push(
    [
      '{"quick":[{"name":"a","args":[]}],"full":[{"name":"b","args":[]}],"memory":{"fill":"x"}}',
      /memory: "fill" must be null or an array of uvsadm arguments/,
    ],
    [
      '{"quick":[{"name":"a","args":[]}],"full":[{"name":"b","args":[]}],"fast":[]}',
      /unknown key "fast"/,
    ],
  );
  for (const [text, re] of bad) assert.throws(() => parseVariants(text, 'v.json'), re, text);
});

test("uvsd's io and workers: from its start line, else from the arguments", () => {
  const log = 'uvsd: serving eth0, eth1 (io pcap), control socket /run/uvs/1.sock\n';
  assert.deepEqual(detectIo(log, []), { io: 'pcap', workers: 1 });
  assert.deepEqual(detectIo('uvsd: serving eth0 (io afpacket, 2 workers)', []), {
    io: 'afpacket',
    workers: 2,
  });
  assert.deepEqual(detectIo('', ['--io', 'afpacket', '--workers', '2']), {
    io: 'afpacket',
    workers: 2,
  });
  assert.deepEqual(detectIo('', ['--io=afpacket']), { io: 'afpacket', workers: 1 });
  assert.deepEqual(detectIo('', []), { io: null, workers: 1 });
});

test('bench options: flags, values, lists checked, unknown options refused', () => {
  const a = parseBenchArgs(['--quick', '--seconds', '5'], ['--seconds'], ['--quick']);
  assert.equal(a.flag('--quick'), true);
  assert.equal(a.number('--seconds', 3, 1, 60), 5);
  assert.equal(a.string('--out', 'bench'), 'bench');
  assert.throws(() => parseBenchArgs(['--fast'], [], ['--quick']), /unknown option "--fast"/);
  assert.throws(() => parseBenchArgs(['--seconds'], ['--seconds'], []), /--seconds needs a value/);
  assert.throws(
    () => parseBenchArgs(['--seconds', 'x'], ['--seconds'], []).number('--seconds', 1, 1, 9),
    /--seconds must be a number from 1 to 9, not "x"/,
  );
  const o = parseBenchOptions(['--quick', '--only', 'routing,uvs-nat', '--workloads', 'udp-pps']);
  assert.equal(o.quick, true);
  assert.deepEqual(o.parts, ['routing', 'uvs-nat']);
  assert.deepEqual(o.workloads, ['udp-pps']);
  assert.equal(o.rounds, undefined);
  assert.throws(() => parseBenchOptions(['--only', 'routing,ipvs']), /--only: unknown "ipvs"/);
});
