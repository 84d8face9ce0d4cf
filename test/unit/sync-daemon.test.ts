// The sync daemons' control (uvsadm --start-daemon / --stop-daemon / -L --daemon as ipvsadm
// prints it, libipvs's refusals) and the backup's handling of datagrams (counted, never thrown).
// The connection table's side is conn-sync.test.ts. No sockets: the daemons'
// multicast is tested in namespaces (test/integration/ha-sync.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../src/clock/fake-clock.js';
import { execute, type AsyncControl } from '../../src/ipvsadm/execute.js';
import { listDaemons } from '../../src/ipvsadm/format-listing.js';
import { parseArgs } from '../../src/ipvsadm/parse-args.js';
import { UsageError } from '../../src/ipvsadm/command.js';
import { parseIpv4 } from '../../src/packet/addr.js';
import { resolveSyncConfig, syncMaxlen } from '../../src/sync/sync-config.js';
import { IpvsConnFlag, type SyncConn } from '../../src/sync/sync-conn.js';
import { newSyncStats, SyncBackup } from '../../src/sync/sync-daemon.js';
import { SyncDaemons } from '../../src/sync/sync-daemons.js';
import { encodeMessages } from '../../src/sync/sync-message.js';

test('uvsadm --start-daemon parses as ipvsadm: state, interface (eth0 by default), syncid and the 1.31 options', () => {
  assert.deepEqual(parseArgs(['--start-daemon', 'master']), {
    kind: 'start-daemon',
    daemon: { state: 'master', mcastIfn: 'eth0', syncId: 0, maxlen: 0, group: '', port: 0, ttl: 0 },
  });
  assert.deepEqual(
    parseArgs(
      '--start-daemon backup --mcast-interface eth2 --syncid 7 --sync-maxlen 1400 --mcast-group 239.1.2.3 --mcast-port 9000 --mcast-ttl 2'.split(
        ' ',
      ),
    ),
    {
      kind: 'start-daemon',
      daemon: {
        state: 'backup',
        mcastIfn: 'eth2',
        syncId: 7,
        maxlen: 1400,
        group: '239.1.2.3',
        port: 9000,
        ttl: 2,
      },
    },
  );
  assert.deepEqual(parseArgs(['--stop-daemon', 'backup']), {
    kind: 'stop-daemon',
    state: 'backup',
  });
  assert.deepEqual(parseArgs(['-L', '--daemon']), { kind: 'list-daemon' });
});

test("uvsadm daemon options: ipvsadm's messages for bad values and misplaced options", () => {
  const rows: [string, string][] = [
    ['--start-daemon primary', 'illegal start-daemon parameter specified'],
    ['--start-daemon master --syncid 256', 'illegal syncid specified'],
    ['--start-daemon master --mcast-group 10.0.0.1', "invalid IPv4 mcast-group `10.0.0.1'"],
    ['--start-daemon master --mcast-port 0', 'illegal mcast-port specified'],
    ['--start-daemon master --mcast-ttl 256', 'illegal mcast-ttl specified'],
    ['--start-daemon master --sync-maxlen 65508', 'illegal sync-maxlen specified'],
    [
      '--stop-daemon master --mcast-interface eth0',
      "Illegal 'mcast-interface' option with the 'stop-daemon' command",
    ],
    [
      '-A -t 10.0.0.1:80 --mcast-port 9',
      "Illegal 'mcast-port' option with the 'add-service' command",
    ],
  ];
  for (const [line, msg] of rows) {
    assert.throws(
      () => parseArgs(line.split(' ')),
      (e: unknown) => e instanceof UsageError && e.message === msg && e.exitCode === 2,
      line,
    );
  }
});

test('-L --daemon prints each daemon as ipvsadm 1.31 does with the defaults the kernel fills in', () => {
  const master = resolveSyncConfig(
    { state: 'master', mcastIfn: 'eth2', syncId: 5, maxlen: 0, group: '', port: 0, ttl: 0 },
    9000,
  );
  const backup = resolveSyncConfig(
    {
      state: 'backup',
      mcastIfn: 'eth1',
      syncId: 0,
      maxlen: 0,
      group: '239.0.0.9',
      port: 9000,
      ttl: 3,
    },
    9000,
  );
  assert.equal(
    listDaemons([backup, master]),
    'master sync daemon (mcast=eth2, syncid=5, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n' +
      'backup sync daemon (mcast=eth1, syncid=0, maxlen=8972, group=239.0.0.9, port=9000, ttl=3)\n',
  );
  assert.equal(listDaemons([]), '');
});

test("sync_maxlen as the kernel computes it: a master's fits 1500 bytes; a backup's its MTU (≥ 1500); clamped", () => {
  const rows: ['master' | 'backup', number, number, number][] = [
    ['master', 0, 9000, 1472],
    ['master', 0, 1280, 1472],
    ['backup', 0, 9000, 8972],
    ['backup', 0, 1280, 1472],
    ['master', 100, 1500, 100],
    ['backup', 100, 1500, 1024],
    ['master', 70000, 1500, 65507],
  ];
  for (const [role, req, mtu, want] of rows)
    assert.equal(syncMaxlen(role, req, mtu), want, `${role} ${req} ${mtu}`);
});

function daemons() {
  const clock = new FakeClock();
  const logs: string[] = [];
  const d = new SyncDaemons({
    interfaceOf: (name) => (name === 'eth2' ? { addr: '192.168.20.253', mtu: 1500 } : undefined),
    source: { drain: () => [] },
    sink: { apply: () => {} },
    clock,
    log: (m) => logs.push(m),
    held: () => [],
  });
  return { d, logs };
}

test("the control answers libipvs's refusals, which uvsadm prints with status 255", async () => {
  const { d } = daemons();
  const control = {
    startDaemon: (r: Parameters<SyncDaemons['startDaemon']>[0]) => d.startDaemon(r),
    stopDaemon: (s: 'master' | 'backup') => Promise.resolve(d.stopDaemon(s)),
    daemons: () => Promise.resolve(d.daemons()),
  } as unknown as AsyncControl;
  const run = (line: string) =>
    execute(parseArgs(line.split(' ')), control, 'uvsadm', () => Promise.resolve(''));
  assert.deepEqual(await run('--start-daemon master --mcast-interface eth9'), {
    stdout: '',
    stderr: 'No such device\n',
    exitCode: 255,
  });
  assert.deepEqual(await run('--stop-daemon backup'), {
    stdout: '',
    stderr: 'No daemon is running\n',
    exitCode: 255,
  });
  assert.deepEqual((await run('-L --daemon')).stdout, '');
});

const CONN: SyncConn = {
  protocol: 6,
  flags: IpvsConnFlag.Masq,
  state: 1,
  caddr: parseIpv4('192.168.10.1'),
  cport: 40000,
  vaddr: parseIpv4('192.168.10.23'),
  vport: 80,
  daddr: parseIpv4('192.168.20.1'),
  dport: 80,
  fwmark: 0,
  timeout: 900,
};

test('the backup hands each good connection to its sink and counts what it drops (syncid, size, maxlen)', () => {
  const clock = new FakeClock(5000);
  const stats = newSyncStats();
  const got: SyncConn[] = [];
  const store = { apply: (c: SyncConn) => void got.push(c) };
  const view = resolveSyncConfig(
    { state: 'backup', mcastIfn: 'eth2', syncId: 5, maxlen: 0, group: '', port: 0, ttl: 0 },
    1500,
  );
  const b = new SyncBackup(view, '192.168.20.253', store, clock, stats, () => {});
  b.receive(encodeMessages([CONN, { ...CONN, cport: 40001, state: 4 }], 5, 1472)[0]!);
  b.receive(encodeMessages([CONN], 6, 1472)[0]!); // another director pair's syncid
  b.receive(Buffer.from([0, 5, 0]));
  // Larger than the backup's maxlen: cut to 1472 bytes, its size field no longer matches.
  b.receive(
    encodeMessages(
      Array.from({ length: 60 }, (_, k) => ({ ...CONN, cport: k + 1 })),
      5,
      9000,
    )[0]!,
  );
  assert.equal(stats.messagesReceived, 4);
  assert.equal(stats.connsReceived, 2);
  assert.deepEqual([stats.dropped.syncid, stats.dropped.short, stats.dropped.size], [1, 1, 1]);
  assert.deepEqual(
    got.map((c) => [c.protocol, c.state, c.caddr, c.cport, c.daddr, c.timeout]),
    [
      [6, 1, CONN.caddr, 40000, CONN.daddr, 900],
      [6, 4, CONN.caddr, 40001, CONN.daddr, 900],
    ],
  );
});
