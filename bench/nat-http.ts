// End-to-end benchmark on the course's NAT maquette: HTTP through the director done three
// ways, measured with wrk from the client namespace in one run:
//   uvs      — uvsd (userspace LVS-NAT), rr over S1 and S2;
//   kernel   — the kernel's own NAT path (nftables DNAT + conntrack, rr via numgen): this
//              kernel has no ip_vs, so this is the closest kernel path doing the same job;
//   haproxy  — HAProxy in TCP mode (a layer-4 proxy) on the director, roundrobin.
// Traffic stays inside the namespaces the run creates; every load is bounded by --seconds.
//   node dist/bench/nat-http.js [--seconds 5] [--connections 16] [--path /] [--out FILE]
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Lab } from '../src/lab/lab.js';
import { NAT_MAQUETTE } from '../src/lab/maquette.js';
import { benchArgs } from './bench-args.js';

const opt = benchArgs(
  'usage: node dist/bench/nat-http.js [--seconds N] [--connections N] [--path /bytes?n=65536] [--out FILE]\n\nwrk through uvs, the kernel NAT path and HAProxy on the NAT maquette; prints requests/s and ratios.',
);
const seconds = Number(opt('--seconds', '5'));
const connections = Number(opt('--connections', '16'));
const path = opt('--path', '/');
const out = opt('--out', '');
for (const tool of ['wrk', 'haproxy', 'nft']) {
  if (spawnSync('which', [tool]).status !== 0) {
    console.error(`bench: ${tool} is not installed (apt-get install wrk haproxy nftables)`);
    process.exit(1);
  }
}
const VIP = NAT_MAQUETTE.vip;
const progress = (m: string): void => void process.stderr.write(`bench: ${m}\n`);

interface Result {
  readonly name: string;
  readonly rps: number;
  readonly latency: string;
  readonly transfer: string;
  readonly errors: string;
}

function wrk(lab: Lab, name: string): Result {
  progress(`${name}: wrk -t1 -c${connections} -d${seconds}s http://${VIP}${path}`);
  const r = lab.run('client', 'wrk', [
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--timeout',
    '2s',
    `http://${VIP}${path}`,
  ]);
  if (r.code !== 0) throw new Error(`wrk failed for ${name}: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 'NaN');
  const latency = /Latency\s+(\S+)/.exec(r.stdout)?.[1] ?? '?';
  const transfer = /Transfer\/sec:\s+(\S+)/.exec(r.stdout)?.[1] ?? '?';
  const errors =
    /Socket errors: (.*)|Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[0] ?? 'none';
  return { name, rps, latency, transfer, errors };
}

const lab = new Lab(NAT_MAQUETTE, `uvb${process.pid.toString(36)}`, { progress });
process.on('SIGINT', () => {
  lab.destroy();
  process.exit(130);
});
const results: Result[] = [];
try {
  lab.build();
  // 1. uvs
  const uvsd = lab.startDirector();
  lab.configure();
  results.push(wrk(lab, 'uvs (userspace LVS-NAT)'));
  uvsd.child.kill('SIGTERM');
  spawnSync('sleep', ['0.5']);
  // 2. the kernel's NAT path
  const ruleset = [
    'table ip uvsbench {',
    '  chain pre {',
    '    type nat hook prerouting priority -100;',
    `    ip daddr ${VIP} tcp dport 80 dnat to numgen inc mod 2 map { 0 : 192.168.20.1, 1 : 192.168.20.2 }`,
    '  }',
    '}',
    '',
  ].join('\n');
  const nft = lab.run('director', 'nft', ['-f', '-'], ruleset);
  if (nft.code !== 0) throw new Error(`nft: ${nft.stderr}`);
  results.push(wrk(lab, 'kernel (nftables DNAT)'));
  lab.run('director', 'nft', ['delete', 'table', 'ip', 'uvsbench']);
  // 3. HAProxy, layer 4
  const cfg = `/tmp/uvs-bench-haproxy-${process.pid}.cfg`;
  const conf = `global\n  maxconn 4096\ndefaults\n  mode tcp\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\nfrontend vip\n  bind ${VIP}:80\n  default_backend rs\nbackend rs\n  balance roundrobin\n  server s1 192.168.20.1:80\n  server s2 192.168.20.2:80\n`;
  spawnSync('sh', ['-c', `cat > ${cfg}`], { input: conf });
  lab.startIn('director', 'haproxy', 'haproxy', ['-db', '-f', cfg]);
  lab.waitForPort('director', 80);
  results.push(wrk(lab, 'haproxy (TCP mode)'));
  spawnSync('rm', ['-f', cfg]);
} finally {
  lab.destroy();
}

const base = results[0]!.rps;
const lines = [
  `## NAT HTTP benchmark, ${new Date().toISOString()}`,
  '',
  `command: node dist/bench/nat-http.js --seconds ${seconds} --connections ${connections} --path '${path}'`,
  `machine: ${spawnSync('nproc').stdout.toString().trim()} cores, node ${process.version}, wrk -t1 -c${connections} -d${seconds}s from the client namespace`,
  '',
  '| path | requests/s | avg latency | transfer/s | errors | vs uvs |',
  '|---|---:|---:|---:|---|---:|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.rps.toFixed(0)} | ${r.latency} | ${r.transfer} | ${r.errors} | ${(r.rps / base).toFixed(2)}× |`,
  ),
  '',
];
process.stdout.write(lines.join('\n') + '\n');
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  appendFileSync(out, lines.join('\n') + '\n');
}
