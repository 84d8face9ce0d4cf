// uvs-tun-endpoint with IPv6 (this kernel has neither ip6_tunnel nor sit nor ipip): a sender
// that plays the director sends an echo request from the client's address to the VIP,
// tunnelled as IPVS tunnels it (IPv6 in IPv6, and the mixed pairs IPv4 in IPv6, IPv6 in IPv4,
// and IPIP); the real server's kernel must answer the client directly, from the VIP, and
// must not answer the tunnel packet itself (ICMPv6 parameter problem, ICMP unreachable).
//
//   sender (director + client)                       rs
//   eth0 2001:db8:30::fe/64 192.168.30.254/24 ─ lan30 ─ eth0 2001:db8:30::1/64 192.168.30.1/24
//   lo   2001:db8:10::1/128 192.168.10.1/32              lo   VIPs 2001:db8:20::23, 192.168.20.23
//                                                        uvs-tun-endpoint --vip (both VIPs)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { UVS_TUN_ENDPOINT } from '../../src/lab/lab.js';
import { nsExec } from '../../src/lab/shell.js';
import { Topology } from '../../src/lab/topology.js';

const TUN_PING = fileURLToPath(new URL('./fixtures/tun-ping.js', import.meta.url));
const VIP6 = '2001:db8:20::23';
const VIP4 = '192.168.20.23';
const topo = new Topology(`uvt${process.pid.toString(36)}t6`);
let rsMac = '';

before(async () => {
  topo.create();
  topo.addLan('lan30');
  topo.addHost('sender');
  topo.addHost('rs');
  topo.plug('sender', 'eth0', 'lan30', ['2001:db8:30::fe/64', '192.168.30.254/24']);
  topo.plug('rs', 'eth0', 'lan30', ['2001:db8:30::1/64', '192.168.30.1/24']);
  for (const a of ['2001:db8:10::1/128', '192.168.10.1/32'])
    nsExec(topo.ns('sender'), 'ip', [
      'addr',
      'add',
      a,
      'dev',
      'lo',
      ...(a.includes(':') ? ['nodad'] : []),
    ]);
  for (const a of [`${VIP6}/128`, `${VIP4}/32`])
    nsExec(topo.ns('rs'), 'ip', [
      'addr',
      'add',
      a,
      'dev',
      'lo',
      ...(a.includes(':') ? ['nodad'] : []),
    ]);
  topo.route('rs', 'default', '192.168.30.254');
  nsExec(topo.ns('rs'), 'ip', ['-6', 'route', 'replace', 'default', 'via', '2001:db8:30::fe']);
  rsMac = (
    JSON.parse(nsExec(topo.ns('rs'), 'ip', ['-j', 'link', 'show', 'eth0'])) as { address: string }[]
  )[0]!.address;
  const endpoint = topo.start('rs', process.execPath, [
    UVS_TUN_ENDPOINT,
    '--vip',
    VIP6,
    '--vip',
    VIP4,
  ]);
  // Started when its nftables guard is in place (it installs it before capturing).
  const deadline = Date.now() + 15_000;
  while (!/decapsulating/.test(endpoint.output())) {
    if (Date.now() > deadline || endpoint.child.exitCode !== null)
      throw new Error(`uvs-tun-endpoint did not start: ${endpoint.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(() => topo.destroy());

function tunPing(
  outerSrc: string,
  outerDst: string,
  innerSrc: string,
  innerDst: string,
  timeoutMs = 5000,
) {
  const r = spawnSync(
    'ip',
    [
      'netns',
      'exec',
      topo.ns('sender'),
      process.execPath,
      TUN_PING,
      'eth0',
      rsMac,
      outerSrc,
      outerDst,
      innerSrc,
      innerDst,
      String(timeoutMs),
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { reply: boolean; errors: string[] };
}

const cases = [
  {
    name: 'IPv6 in IPv6',
    outer: ['2001:db8:30::fe', '2001:db8:30::1'],
    inner: ['2001:db8:10::1', VIP6],
  },
  {
    name: 'IPv4 in IPv6',
    outer: ['2001:db8:30::fe', '2001:db8:30::1'],
    inner: ['192.168.10.1', VIP4],
  },
  {
    name: 'IPv6 in IPv4',
    outer: ['192.168.30.254', '192.168.30.1'],
    inner: ['2001:db8:10::1', VIP6],
  },
  { name: 'IPIP', outer: ['192.168.30.254', '192.168.30.1'], inner: ['192.168.10.1', VIP4] },
] as const;

for (const c of cases) {
  test(`uvs-tun-endpoint: ${c.name} reaches the VIP and the answer goes straight to the client`, () => {
    const r = tunPing(c.outer[0], c.outer[1], c.inner[0], c.inner[1]);
    assert.deepEqual(r, { reply: true, errors: [] });
  });
}

test('uvs-tun-endpoint: an inner destination outside --vip gets no answer', () => {
  // Polls 2 s for an answer that must not come (the VIP filter drops it before the kernel).
  const r = tunPing('2001:db8:30::fe', '2001:db8:30::1', '2001:db8:10::1', '2001:db8:30::1', 2000);
  assert.deepEqual(r, { reply: false, errors: [] });
});
