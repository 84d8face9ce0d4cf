// IPv6 firewall-mark services through the real director: an nftables rule marks the client's
// IPv6 packets to a range of VIPs (as `ip6tables -t mangle … -j MARK` does for IPVS), uvsd's
// mark tap hands them to the engine, `uvsadm -A -f 1 -6` schedules them over two IPv6 real
// servers (LVS-NAT); persistence with -M as an IPv6 prefix length. `uvsadm --trace` shows the
// IPv6 frames of a service before and after their rewrite (the course's [VIP]:80 service, and
// the firewall-mark one).
//
//   client 2001:db8:10::1 (+ ::11, ::12) ── lan10 ── eth1 [director] eth2 ── lan20 ──┬── S1 2001:db8:20::1
//          default via 2001:db8:10::254           mark 1: ip6 daddr 2001:db8:99::/120 └── S2 2001:db8:20::2
//
// The VIPs 2001:db8:99::1 and ::2 are no address of anyone: the client reaches them by its
// default route (the director), and only the mark makes them a virtual service.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Lab, UVSADM } from '../../src/lab/lab.js';
import { PAGE_S1, PAGE_S2 } from '../../src/lab/maquette.js';
import { NAT6_MAQUETTE } from '../../src/lab/maquette6.js';
import { until } from '../helpers/poll.js';
import { uvsadmOk } from './helpers/nat-lab.js';

const lab = new Lab(NAT6_MAQUETTE, `v6f${process.pid.toString(36)}`);
const CLIENTS = ['2001:db8:10::11', '2001:db8:10::12'];

/** The mark, as `ip6tables -t mangle -A PREROUTING … -j MARK --set-mark 1` would set it. */
const MANGLE6 = `table ip6 mangle {
  chain pre {
    type filter hook prerouting priority -150;
    ip6 daddr 2001:db8:99::/120 tcp dport 80 meta mark set 1
  }
}
`;

/** One GET of `vip` from the client's address `from`; the body, or "FAIL …". */
function page(vip: string, from = '2001:db8:10::1'): string {
  const r = lab.run('client', 'curl', [
    '-sS',
    '-6',
    '--max-time',
    '5',
    '--interface',
    from,
    `http://[${vip}]/`,
  ]);
  return r.code === 0 ? r.stdout.trim() : `FAIL ${r.stderr.trim()}`;
}

before(() => {
  lab.build();
  for (const a of CLIENTS)
    lab.run('client', 'ip', ['-6', 'addr', 'add', `${a}/64`, 'dev', 'eth0', 'nodad']);
  lab.startDirector();
  assert.equal(lab.run('director', 'nft', ['-f', '-'], MANGLE6).code, 0);
});

after(() => lab.destroy());

/**
 * Runs `uvsadm --trace …service --count 30` in the director while `request` runs, repeated
 * until uvsadm has shown its 30 frames and exited (about three whole requests: the first may be
 * cut, uvsadm reaching uvsd a moment after it starts); its output.
 */
async function trace(service: readonly string[], request: () => void): Promise<string> {
  const p = lab.startIn('director', 'trace', process.execPath, [
    UVSADM,
    '--trace',
    ...service,
    '--count',
    '30',
  ]);
  const exited = new Promise<number | null>((resolve) => p.child.once('exit', resolve));
  let done = false;
  void exited.then(() => (done = true));
  await until(
    () => {
      if (!done) request();
      return done;
    },
    { what: 'uvsadm --trace showing 30 frames', timeoutMs: 20_000, lastSeen: () => p.output() },
  );
  assert.equal(await exited, 0, p.output());
  return p.output();
}

test('IPv6 fwmark NAT: marked packets to a VIP range alternate S1 and S2 (rr); -Ln lists FWM 1 IPv6', () => {
  uvsadmOk(lab, ['-A', '-f', '1', '-6', '-s', 'rr']);
  uvsadmOk(lab, ['-a', '-f', '1', '-6', '-r', '[2001:db8:20::1]:80', '-m']);
  uvsadmOk(lab, ['-a', '-f', '1', '-6', '-r', '[2001:db8:20::2]:80', '-m']);
  const pages = ['2001:db8:99::1', '2001:db8:99::2', '2001:db8:99::1', '2001:db8:99::2'].map(
    (vip) => page(vip),
  );
  assert.deepEqual(pages, [PAGE_S1, PAGE_S2, PAGE_S1, PAGE_S2]);
  const listing = uvsadmOk(lab, ['-Ln']);
  assert.match(listing, /^FWM {2}1 IPv6 rr$/m);
  assert.match(listing, /^ {2}-> \[2001:db8:20::1\]:80 +Masq +1 +0 +2 *$/m);
  assert.match(listing, /^ {2}-> \[2001:db8:20::2\]:80 +Masq +1 +0 +2 *$/m);
  const conns = uvsadmOk(lab, ['-Lnc'])
    .split('\n')
    .filter((l) => l.startsWith('TCP '));
  assert.equal(conns.length, 4, conns.join('\n'));
  for (const c of conns)
    assert.match(
      c,
      /^TCP \d\d:\d\d {2}TIME_WAIT {3}\[2001:db8:10::1\]:\d+ \[2001:db8:99::[12]\]:80 \[2001:db8:20::[12]\]:80$/,
    );
});

test('IPv6 fwmark persistence -M 64: two client addresses of one /64 share one template and one server', () => {
  uvsadmOk(lab, ['-E', '-f', '1', '-6', '-s', 'rr', '-p', '60', '-M', '64']);
  const pages = [
    page('2001:db8:99::1', CLIENTS[0]),
    page('2001:db8:99::2', CLIENTS[1]),
    page('2001:db8:99::2', CLIENTS[0]),
    page('2001:db8:99::1', CLIENTS[1]),
  ];
  assert.ok(pages[0] === PAGE_S1 || pages[0] === PAGE_S2, pages.join(' | '));
  assert.deepEqual(new Set(pages), new Set([pages[0]]), `one server: ${pages.join(' | ')}`);
  const templates = uvsadmOk(lab, ['-Lnc'])
    .split('\n')
    .filter((l) => l.startsWith('IP '));
  assert.equal(templates.length, 1, templates.join('\n'));
  assert.match(
    templates[0]!,
    /^IP {2}0[01]:\d\d {2}NONE {8}\[2001:db8:10::\]:0 +\[0:1::\]:0 +\[2001:db8:20::[12]\]:80$/,
  );
});

test('uvsadm --trace -t [VIP]:80 shows the IPv6 DNAT: the destination and the hop limit rewritten, the reply from the VIP', async () => {
  uvsadmOk(lab, ['-A', '-t', '[2001:db8:10::23]:80', '-s', 'rr']);
  uvsadmOk(lab, ['-a', '-t', '[2001:db8:10::23]:80', '-r', '[2001:db8:20::1]:80', '-m']);
  const out = await trace(['-t', '[2001:db8:10::23]:80'], () => page('2001:db8:10::23'));
  const lines = out.split('\n');
  const synIn = lines.findIndex((l) => / in +eth1 .* \| tcp \d+ > 80 \[S\] /.test(l));
  assert.ok(synIn >= 0, out);
  assert.match(
    lines[synIn]!,
    /\| 2001:db8:10::1 > 2001:db8:10::23 hlim 64 +\| tcp (\d+) > 80 \[S\] sum 0x\w{4} +\| \d+ B$/,
  );
  assert.match(
    lines[synIn + 1]!,
    /^#\d+ \S+ out eth2 \| .*\| 2001:db8:10::1 > 2001:db8:20::1\* hlim 63\* \| tcp \d+ > 80 \[S\] sum 0x\w{4}\* +\| \d+ B \| Masq rs \[2001:db8:20::1\]:80 SYN_RECV$/,
  );
  assert.match(
    out,
    /^#\d+ \S+ out eth1 \| .*\| 2001:db8:10::23\* > 2001:db8:10::1 hlim 63\* +\| tcp 80 > \d+ \[S\.\] sum 0x\w{4}\* +\| \d+ B \| Masq reply from \[2001:db8:20::1\]:80 SYN_RECV$/m,
  );
});

test('uvsadm --trace -f 1 -6 shows the marked IPv6 packets as the tap hands them over, then DNATed', async () => {
  const out = await trace(['-f', '1', '-6'], () => page('2001:db8:99::2'));
  assert.match(
    out,
    /^#\d+ \S+ in +uvsfwm1 \| .*\| 2001:db8:10::1 > 2001:db8:99::2 hlim 63 +\| tcp \d+ > 80 \[S\] /m,
  );
  assert.match(
    out,
    /^#\d+ \S+ out eth2 +\| .*\| 2001:db8:10::1 > 2001:db8:20::[12]\* hlim 63 +\| tcp \d+ > 80 \[S\] sum 0x\w{4}\* +\| \d+ B \| Masq rs \[2001:db8:20::[12]\]:80 SYN_RECV$/m,
  );
});
