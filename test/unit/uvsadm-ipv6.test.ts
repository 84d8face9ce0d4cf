import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ControlClient } from '../../src/control/control-client.js';
import { ControlServer } from '../../src/control/control-server.js';
import { FwdMethod } from '../../src/engine/model.js';
import { UsageError, type Command, type Fwmark6Key } from '../../src/ipvsadm/command.js';
import { socketControl } from '../../src/ipvsadm/controls.js';
import { execute, type AsyncControl } from '../../src/ipvsadm/execute.js';
import { parseHosts } from '../../src/ipvsadm/names.js';
import { parseArgs } from '../../src/ipvsadm/parse-args.js';
import { EngineRig } from './fixtures/engine-rig.js';
import { CLIENT_IF, FakeEnv, SERVER_IF } from './fixtures/fake-env.js';
import { buildFrame6, type Frame6Spec } from './fixtures/frames6.js';
import { CONNS6, SERVICES6 } from './fixtures/fake-table6.js';
import { memoryControl } from './fixtures/memory-control.js';

const golden = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../../test/golden/${name}`, import.meta.url)), 'utf8');

const fw6 = (fwmark: number): Fwmark6Key => ({ kind: 'fwmark', fwmark, family: 'inet6' });
const V6 = { kind: 'addr', proto: 'tcp', vip: '2001:db8::100', port: 80 } as const;
const dest = (addr: string, port: number, method: FwdMethod) => ({
  addr,
  port,
  method,
  weight: 1,
  upperThreshold: 0,
  lowerThreshold: 0,
});

const good: { line: string; expect: Command }[] = [
  {
    line: '-A -t [2001:db8::100]:80 -s rr',
    expect: { kind: 'add-service', spec: { key: V6, scheduler: 'rr' } },
  },
  {
    line: '-A -t [2001:DB8:0::0100]:http -s rr',
    expect: { kind: 'add-service', spec: { key: V6, scheduler: 'rr' } },
  },
  {
    line: '-A -t 2001:db8::1:80 -p',
    expect: {
      kind: 'add-service',
      spec: {
        key: { kind: 'addr', proto: 'tcp', vip: '2001:db8::1:80', port: 0 },
        scheduler: 'wlc',
        persistence: { timeout: 300, netmask: '128' },
      },
    },
  },
  {
    line: '-A -u [2001:db8::100]:53 -s wrr -p 360 -M 64',
    expect: {
      kind: 'add-service',
      spec: {
        key: { kind: 'addr', proto: 'udp', vip: '2001:db8::100', port: 53 },
        scheduler: 'wrr',
        persistence: { timeout: 360, netmask: '64' },
      },
    },
  },
  {
    line: '-A -t [::1]:80 -p 60 -M 48x',
    expect: {
      kind: 'add-service',
      spec: {
        key: { kind: 'addr', proto: 'tcp', vip: '::1', port: 80 },
        scheduler: 'wlc',
        persistence: { timeout: 60, netmask: '48' },
      },
    },
  },
  {
    line: '-A -f 1 -6 -s rr -p -M 56',
    expect: {
      kind: 'add-service',
      spec: {
        key: fw6(1),
        scheduler: 'rr',
        persistence: { timeout: 300, netmask: '56' },
      },
    },
  },
  {
    line: '-A --fwmark-service 2 --ipv6 -p',
    expect: {
      kind: 'add-service',
      spec: {
        key: fw6(2),
        scheduler: 'wlc',
        persistence: { timeout: 300, netmask: '128' },
      },
    },
  },
  {
    line: '-a -t [2001:db8::100]:80 -r [2001:db8:20::11]:8080 -m -w 1',
    expect: { kind: 'add-server', key: V6, dest: dest('2001:db8:20::11', 8080, FwdMethod.Masq) },
  },
  {
    line: '-a -t [2001:db8::100]:80 -r 2001:db8:20::11 -g',
    expect: { kind: 'add-server', key: V6, dest: dest('2001:db8:20::11', 80, FwdMethod.Route) },
  },
  {
    line: '-a -t [2001:db8::100]:80 -r 192.168.30.1 -i',
    expect: { kind: 'add-server', key: V6, dest: dest('192.168.30.1', 80, FwdMethod.Tunnel) },
  },
  {
    line: '-e -f 1 -6 -r [2001:db8:20::11]:0 -g',
    expect: {
      kind: 'edit-server',
      key: fw6(1),
      dest: dest('2001:db8:20::11', 0, FwdMethod.Route),
    },
  },
  {
    line: '-d -t [2001:db8::100]:80 -r [2001:db8:20::11]:8080',
    expect: { kind: 'delete-server', key: V6, addr: '2001:db8:20::11', port: 8080 },
  },
];

test("IPv6 service and server addresses parse as ipvsadm's parse_service reads them", () => {
  for (const g of good) assert.deepEqual(parseArgs(g.line.split(' ')), g.expect, g.line);
});

const bad: [string, string][] = [
  ['-A -t [2001:db8::100]', 'illegal virtual server address[:port] specified'],
  ['-A -t [2001:db8::100]80', 'illegal virtual server address[:port] specified'],
  ['-A -t [2001:db8::100:80', 'illegal virtual server address[:port] specified'],
  ['-A -t [2001:db8::zz]:80', 'illegal virtual server address[:port] specified'],
  ['-A -t [2001:db8::100]:99999', 'illegal virtual server address[:port] specified'],
  ['-A -t [fe80::1%eth0]:80', 'illegal virtual server address[:port] specified'],
  ['-A -t [2001:db8::100]:80 -p -M 129', 'illegal ipv6 netmask specified'],
  ['-A -t [2001:db8::100]:80 -p -M 0', 'illegal ipv6 netmask specified'],
  ['-A -t [2001:db8::100]:80 -p -M ffff:ffff::', 'illegal ipv6 netmask specified'],
  ['-A -f 1 -p -M 64', 'illegal virtual server persistent mask specified'],
  ['-A -6 -f 1', '-6 used before -f\n'],
  ['-A -t [::1]:80 -6', '-6 used before -f\n'],
  [
    '-a -t [2001:db8::100]:80 -r 192.168.20.1 -m',
    'Different address family is allowed only for tunneling servers',
  ],
  [
    '-a -t 192.168.10.23:80 -r [2001:db8::11]:80',
    'Different address family is allowed only for tunneling servers',
  ],
  [
    '-e -f 1 -r [2001:db8::11]:80 -g',
    'Different address family is allowed only for tunneling servers',
  ],
  [
    '-a -f 1 -6 -r 192.168.20.1 -m',
    'Different address family is allowed only for tunneling servers',
  ],
  // Brackets around an IPv4 address lose the port (parse_service): a zero port.
  ['-A -t [192.168.10.23]:80', 'Zero port specified for non-persistent service'],
  ['-a -t [2001:db8::100]:80 -r [2001:db8::11]', 'illegal real server address[:port] specified'],
];

for (const [line, message] of bad) {
  test(`uvsadm ${line} → exit 2: ${JSON.stringify(message)}`, () => {
    assert.throws(
      () => parseArgs(line.split(' ')),
      (e: unknown) => e instanceof UsageError && e.message === message && e.exitCode === 2,
    );
  });
}

const fixed: AsyncControl = {
  ...memoryControl(),
  services: () => Promise.resolve(SERVICES6),
  connections: () => Promise.resolve(CONNS6),
};

async function run(argv: string[], control: AsyncControl = fixed, stdin = '') {
  return execute(parseArgs(argv), control, 'uvsadm', () => Promise.resolve(stdin));
}

const goldens: { argv: string[]; file: string }[] = [
  { argv: ['-Ln'], file: 'list6-numeric.txt' },
  { argv: ['-L'], file: 'list6-names.txt' },
  { argv: ['-Ln', '--stats'], file: 'list6-stats.txt' },
  { argv: ['-Ln', '--stats', '--exact'], file: 'list6-stats-exact.txt' },
  { argv: ['-Ln', '--rate'], file: 'list6-rate.txt' },
  { argv: ['-Ln', '--thresholds'], file: 'list6-thresholds.txt' },
  { argv: ['-Ln', '--persistent-conn'], file: 'list6-persistent-conn.txt' },
  { argv: ['-Lnc'], file: 'list6-conns.txt' },
  { argv: ['-Sn'], file: 'save6.txt' },
  { argv: ['-Ln', '-t', '[2001:0db8::0100]:80'], file: 'list6-service.txt' },
];
for (const g of goldens) {
  test(`uvsadm ${g.argv.join(' ')} prints IPv6 as ipvsadm does (${g.file})`, async () => {
    const out = await run(g.argv);
    assert.equal(out.stderr, '');
    assert.equal(out.exitCode, 0);
    assert.equal(out.stdout, golden(g.file));
  });
}

test('IPv6 entries of /etc/hosts name addresses (in their canonical form), never the reverse', () => {
  const t = parseHosts([
    '127.0.0.1 localhost',
    '::1 localhost ip6-localhost ip6-loopback',
    '2001:DB8:0::11 rs1.example rs1 # a real server',
  ]);
  assert.equal(t.addrToHost.get('::1'), 'localhost');
  assert.equal(t.addrToHost.get('2001:db8::11'), 'rs1.example');
  assert.equal(t.hostToAddr.get('rs1'), undefined, 'ipvsadm resolves names to IPv4 only');
  assert.equal(t.hostToAddr.get('localhost'), '127.0.0.1');
});

test('-S, -C, -R: an IPv6 table comes back the same', async () => {
  const control = memoryControl();
  const saved = golden('save6.txt');
  const restored = await run(['-R'], control, saved);
  assert.deepEqual(restored, { stdout: '', stderr: '', exitCode: 0 });
  assert.equal((await run(['-Sn'], control)).stdout, saved);
  assert.equal((await run(['-C'], control)).exitCode, 0);
  assert.equal((await run(['-Sn'], control)).stdout, '');
  await run(['-R'], control, saved);
  assert.equal((await run(['-Sn'], control)).stdout, saved);
  const edited = await run(
    ['-e', '-t', '[2001:db8::100]:80', '-r', '[2001:db8:20::11]:8080', '-m', '-w', '4'],
    control,
  );
  assert.equal(edited.exitCode, 0);
  assert.match((await run(['-Sn'], control)).stdout, /-r \[2001:db8:20::11\]:8080 -m -w 4$/m);
  const deleted = await run(['-D', '-f', '2', '-6'], control);
  assert.equal(deleted.exitCode, 0);
  assert.doesNotMatch((await run(['-Sn'], control)).stdout, /-f 2 -6/);
  assert.match((await run(['-Sn'], control)).stdout, /^-A -f 1 -s sh -p 60$/m, 'IPv4 mark 1 kept');
});

const dir = mkdtempSync(join(tmpdir(), 'uvs-adm6-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** uvsadm talking to a real uvsd control server over a socket. */
async function withDaemon(
  body: (c: AsyncControl) => Promise<void>,
  rig = new EngineRig(),
): Promise<void> {
  const path = join(dir, `d${Math.floor(Math.random() * 1e9)}.sock`);
  const server = new ControlServer(rig.director);
  await server.listen(path);
  const client = new ControlClient(path);
  await client.connect();
  const control = socketControl(client);
  try {
    await body(control);
  } finally {
    client.close();
    server.close();
  }
}

test('uvsd takes IPv6: -R of an IPv6 table through the control socket, -S gives it back byte for byte', async () => {
  await withDaemon(async (c) => {
    const saved = golden('save6.txt');
    assert.deepEqual(await run(['-R'], c, saved), { stdout: '', stderr: '', exitCode: 0 });
    assert.equal((await run(['-Sn'], c)).stdout, saved);
    const listed = await run(['-Ln', '-t', '[2001:db8::100]:80'], c);
    assert.equal(listed.exitCode, 0);
    assert.match(listed.stdout, /^TCP {2}\[2001:db8::100\]:80 rr$/m);
    assert.match(listed.stdout, /^ {2}-> \[2001:db8:20::11\]:8080 +Masq +1 +0 +0 +$/m);
    // -6 firewall-mark services are told apart from the IPv4 ones of the same mark.
    assert.equal((await run(['-D', '-f', '1', '-6'], c)).exitCode, 0);
    assert.match((await run(['-Sn'], c)).stdout, /^-A -f 1 -s sh -p 60$/m, 'IPv4 mark 1 kept');
    assert.doesNotMatch((await run(['-Sn'], c)).stdout, /-f 1 -6/);
    assert.equal((await run(['-C'], c)).exitCode, 0);
    assert.equal((await run(['-Sn'], c)).stdout, '');
  });
});

test("mixed families: uvsd refuses a non-tunnel real server of the other family with ipvsadm's message, takes a tunnel one", async () => {
  await withDaemon(async (c) => {
    assert.equal((await run('-A -t 10.0.0.1:80 -s rr'.split(' '), c)).exitCode, 0);
    // uvsadm refuses it itself; a control client that does not (keepalived) gets uvsd's refusal.
    await assert.rejects(
      c.addDest(
        { kind: 'addr', proto: 'tcp', vip: '10.0.0.1', port: 80 },
        dest('2001:db8::11', 80, FwdMethod.Masq),
      ),
      {
        code: 'E_INVALID',
        message: 'Different address family is allowed only for tunneling servers',
      },
    );
    const tunnel = await run('-a -t 10.0.0.1:80 -r [2001:db8::11]:80 -i'.split(' '), c);
    assert.equal(tunnel.exitCode, 0, tunnel.stderr);
    assert.throws(() => parseArgs('-e -t 10.0.0.1:80 -r [2001:db8::11]:80 -g'.split(' ')), {
      message: 'Different address family is allowed only for tunneling servers',
    });
    await assert.rejects(
      c.editDest(
        { kind: 'addr', proto: 'tcp', vip: '10.0.0.1', port: 80 },
        dest('2001:db8::11', 80, FwdMethod.Route),
      ),
      { code: 'E_INVALID' },
    );
    assert.match(
      (await run(['-Sn'], c)).stdout,
      /^-a -t 10\.0\.0\.1:80 -r \[2001:db8::11\]:80 -i -w 1$/m,
    );
  });
});

test('-Lnc through the real daemon lists IPv6 connections and templates as ipvsadm does (list6-conns-daemon.txt)', async () => {
  let now = 1_000_000;
  const rig = new EngineRig(new FakeEnv(), () => now);
  const d = rig.director;
  const tcp = { kind: 'addr', proto: 'tcp', vip: '2001:db8::100', port: 80 } as const;
  const udp = { kind: 'addr', proto: 'udp', vip: '2001:db8::100', port: 53 } as const;
  d.addService({ key: tcp, scheduler: 'rr' });
  d.addDest(tcp, dest('2001:db8:20::11', 8080, FwdMethod.Masq));
  d.addService({ key: udp, scheduler: 'rr', persistence: { timeout: 360, netmask: '64' } });
  d.addDest(udp, dest('2001:db8:20::2', 53, FwdMethod.Route));
  rig.routeDestsVia(SERVER_IF);
  rig.addNeighbour6('2001:db8:20::11', '02:51:00:00:00:11', SERVER_IF);
  rig.addNeighbour6('2001:db8:20::2', '02:52:00:00:00:02', SERVER_IF);
  const send = (spec: Frame6Spec, ifIndex: number): void => {
    const f = buildFrame6(spec);
    rig.process(f, f.length, ifIndex, now);
  };
  const client = { src: '2001:db8:10::1', dst: '2001:db8::100' };
  send({ ...client, proto: 'tcp', sport: 40000, dport: 80, flags: 0x02 }, CLIENT_IF);
  send(
    {
      src: '2001:db8:20::11',
      dst: client.src,
      proto: 'tcp',
      sport: 8080,
      dport: 40000,
      flags: 0x12,
    },
    SERVER_IF,
  );
  send({ ...client, proto: 'tcp', sport: 40000, dport: 80, flags: 0x10 }, CLIENT_IF);
  now += 600;
  send(
    { ...client, src: '2001:db8:10::1:2', proto: 'udp', sport: 5353, dport: 53, payload: 'q' },
    CLIENT_IF,
  );
  now += 1000;
  await withDaemon(async (c) => {
    const out = await run(['-Lnc'], c);
    assert.equal(out.exitCode, 0, out.stderr);
    assert.equal(out.stdout, golden('list6-conns-daemon.txt'));
  }, rig);
});
