// The kernel guard's IPv6 rules, loaded with nft -f into a director namespace: the kernel
// holds the VIP on its interface (as the course configures it), yet never sees what is sent
// to VIP:80; the director's own address still answers; a NAT real server's reply to the
// director's own connection still reaches it.
//
//   a (client, and a NAT real server on :8080) ── lan ── director (VIP on eth0, guard)
//   eth0 2001:db8:10::1/64                               eth0 2001:db8:10::fe/64, 2001:db8:10::100/64
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { UVS_LAB } from '../../src/lab/lab.js';
import { nsExec } from '../../src/lab/shell.js';
import { Topology } from '../../src/lab/topology.js';
import { guardRuleset, GUARD_TABLE } from '../../src/net/kernel-guard.js';

const VIP = '2001:db8:10::100';
const topo = new Topology(`uvt${process.pid.toString(36)}g6`);

function listening(host: string, port: number): boolean {
  const r = spawnSync('ip', ['netns', 'exec', topo.ns(host), 'ss', '-Hltn', `sport = :${port}`], {
    encoding: 'utf8',
  });
  return r.status === 0 && r.stdout.trim() !== '';
}

before(async () => {
  topo.create();
  topo.addLan('lan');
  topo.addHost('a');
  topo.addHost('director');
  topo.plug('a', 'eth0', 'lan', ['2001:db8:10::1/64']);
  topo.plug('director', 'eth0', 'lan', ['2001:db8:10::fe/64', `${VIP}/64`]);
  const serve = (host: string, port: number, text: string) =>
    topo.start(host, process.execPath, [
      UVS_LAB,
      'serve-http',
      '--host',
      '::',
      '--port',
      String(port),
      '--text',
      text,
    ]);
  serve('director', 80, 'director');
  serve('a', 8080, 'real server');
  const deadline = Date.now() + 10_000;
  while (!(listening('director', 80) && listening('a', 8080))) {
    if (Date.now() > deadline) throw new Error('the web servers did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  nsExec(
    topo.ns('director'),
    'nft',
    ['-f', '-'],
    guardRuleset({
      interfaces: ['eth0'],
      services: [],
      natDests: [],
      localAddrs: [],
      services6: [{ proto: 'tcp', vip: VIP, port: 80 }],
      natDests6: [{ proto: 'tcp', addr: '2001:db8:10::1', port: 8080 }],
      localAddrs6: ['2001:db8:10::fe', VIP],
    }),
  );
});

after(() => topo.destroy());

function curl(host: string, url: string): { code: number; body: string } {
  const r = spawnSync(
    'ip',
    ['netns', 'exec', topo.ns(host), 'curl', '-sS', '--max-time', '2', url],
    {
      encoding: 'utf8',
    },
  );
  return { code: r.status ?? -1, body: r.stdout.trim() };
}

test('nft accepts the IPv6 guard and lists its ip6 rules', () => {
  const listed = nsExec(topo.ns('director'), 'nft', ['list', 'table', 'netdev', GUARD_TABLE]);
  assert.match(listed, /ip6 daddr 2001:db8:10::100 tcp dport 80 drop/);
  assert.match(
    listed,
    /ip6 saddr 2001:db8:10::1 tcp sport 8080 ip6 daddr != \{ 2001:db8:10::fe, 2001:db8:10::100 \} drop/,
  );
});

test("the director's kernel never sees VIP:80 (no answer, no RST: curl times out)", () => {
  assert.deepEqual(curl('a', `http://[${VIP}]:80/`), { code: 28, body: '' });
});

test("the director's own address and its own connections to a NAT real server pass", () => {
  assert.deepEqual(curl('a', 'http://[2001:db8:10::fe]:80/'), { code: 0, body: 'director' });
  assert.deepEqual(curl('director', 'http://[2001:db8:10::1]:8080/'), {
    code: 0,
    body: 'real server',
  });
});

test('control experiment: without the guard, the kernel answers VIP:80 itself', () => {
  nsExec(topo.ns('director'), 'nft', ['delete', 'table', 'netdev', GUARD_TABLE]);
  assert.deepEqual(curl('a', `http://[${VIP}]:80/`), { code: 0, body: 'director' });
});
