// LVS-DR through the real director, with each of the course's real-server solutions.
//
//   client 192.168.10.1 ── lan10 ── router ── lan20 ──┬── director 192.168.20.253 + VIP .23
//                                   .10.254   .20.254  ├── S1 192.168.20.1 (VIP by <method>)
//                                                      └── S2 192.168.20.2 (VIP by <method>)
// Requests: client → router → director → (MAC rewrite) → S1/S2; replies: S → router → client.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Lab } from '../../src/lab/lab.js';
import { arpAnswerers } from '../../src/lab/maquette-check.js';
import { drMaquette, PAGE_S1, PAGE_S2, RS_METHODS, type Maquette } from '../../src/lab/maquette.js';
import { capture, count, fetchPages } from './helpers/nat-lab.js';

const VIP = '192.168.20.23';
let labs = 0;

function macOf(lab: Lab, host: string, ifName: string): string {
  return (
    JSON.parse(lab.run(host, 'ip', ['-j', 'link', 'show', ifName]).stdout) as { address: string }[]
  )[0]!.address;
}

async function withLab(m: Maquette, body: (lab: Lab) => Promise<void> | void): Promise<void> {
  const lab = new Lab(m, `uvd${process.pid.toString(36)}${++labs}`);
  try {
    lab.build();
    lab.startDirector();
    lab.configure();
    await body(lab);
  } finally {
    lab.destroy();
  }
}

for (const method of RS_METHODS) {
  test(`DR with real servers by ${method}: pages alternate, replies bypass the director, only the director answers ARP`, async () => {
    await withLab(drMaquette(method), async (lab) => {
      let pages: string[] = [];
      const onDirector = await capture(lab, 'director', 'eth0', `tcp and src host ${VIP}`, () => {
        pages = fetchPages(lab, 6, `http://${VIP}/`);
      });
      assert.deepEqual(pages, [PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2]);
      assert.deepEqual(onDirector, [], 'no reply from the VIP crosses the director');
      // The replies do cross the router, from the real servers' MACs.
      const onRouter = await capture(
        lab,
        'router',
        'eth1',
        `tcp and src host ${VIP} and src port 80`,
        () => {
          fetchPages(lab, 2, `http://${VIP}/`);
        },
      );
      const s1 = macOf(lab, 's1', 'eth0');
      const s2 = macOf(lab, 's2', 'eth0');
      assert.ok(
        onRouter.some((l) => l.includes(` ${s1} > `)) &&
          onRouter.some((l) => l.includes(` ${s2} > `)),
        'replies come from S1 and S2 themselves',
      );
      assert.deepEqual(await arpAnswerers(lab), [macOf(lab, 'director', 'eth0')]);
      const conns = lab.uvsadm(['-Lnc']).stdout;
      assert.match(
        conns,
        /^TCP \d\d:\d\d {2}\S+ +192\.168\.10\.1:\d+ +192\.168\.20\.23:80 +192\.168\.20\.1:80$/m,
      );
      assert.match(lab.uvsadm(['-Ln']).stdout, /-> 192\.168\.20\.1:80 {14}Route {3}1/);
    });
  });
}

test('control experiment: servers holding the VIP with no ARP solution answer ARP for it', async () => {
  const base = drMaquette('sysctl');
  const m: Maquette = {
    ...base,
    hosts: base.hosts.map((h) =>
      h.role === 'server'
        ? { ...h, setup: [{ argv: ['ip', 'addr', 'add', `${VIP}/32`, 'dev', 'eth0'] }] }
        : h,
    ),
  };
  await withLab(m, async (lab) => {
    const answerers = await arpAnswerers(lab);
    assert.ok(
      answerers.includes(macOf(lab, 's1', 'eth0')) || answerers.includes(macOf(lab, 's2', 'eth0')),
      `servers answered: ${answerers.join(', ')}`,
    );
  });
});

test('mixed: one service with a NAT real server and a DR real server', async () => {
  await withLab(drMaquette('sysctl'), (lab) => {
    // S2 becomes a NAT server: its replies must come back through the director.
    assert.equal(lab.uvsadm(['-d', '-t', `${VIP}:80`, '-r', '192.168.20.2:80']).code, 0);
    assert.equal(lab.uvsadm(['-a', '-t', `${VIP}:80`, '-r', '192.168.20.2:80', '-m']).code, 0);
    lab.run('s2', 'ip', ['route', 'add', '192.168.10.0/24', 'via', '192.168.20.253']);
    const pages = fetchPages(lab, 8, `http://${VIP}/`);
    assert.equal(count(pages, PAGE_S1), 4);
    assert.equal(count(pages, PAGE_S2), 4);
    const listing = lab.uvsadm(['-Ln']).stdout;
    assert.match(listing, /-> 192\.168\.20\.1:80 {14}Route /);
    assert.match(listing, /-> 192\.168\.20\.2:80 {14}Masq /);
  });
});

test('a VIP the director kernel does not hold: uvsd announces it (gratuitous ARP) and answers ARP for it', async () => {
  const base = drMaquette('sysctl');
  const m: Maquette = {
    ...base,
    hosts: base.hosts.map((h) =>
      h.name === 'director'
        ? { ...h, ifaces: [{ ifName: 'eth0', lan: 'lan20', addrs: ['192.168.20.253/24'] }] }
        : h,
    ),
  };
  const lab = new Lab(m, `uvd${process.pid.toString(36)}${++labs}`);
  try {
    lab.build();
    const announced = await capture(lab, 'router', 'eth1', 'arp', () => {
      lab.startDirector();
      lab.configure();
    });
    const dirMac = macOf(lab, 'director', 'eth0');
    assert.ok(
      announced.some(
        (l) =>
          l.includes(` ${dirMac} > ff:ff:ff:ff:ff:ff`) &&
          l.includes(`Request who-has ${VIP} tell ${VIP}`),
      ),
      `gratuitous ARP for the VIP from the director:\n${announced.join('\n')}`,
    );
    assert.deepEqual(await arpAnswerers(lab), [dirMac]);
    assert.deepEqual(fetchPages(lab, 4, `http://${VIP}/`), [PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2]);
  } finally {
    lab.destroy();
  }
});
