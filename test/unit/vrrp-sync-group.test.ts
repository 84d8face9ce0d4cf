// vrrp_sync_group and vrrp_script with the fake clock: members change state together, a
// FAULT member holds the group in FAULT; scripts' fall/rise and timeouts never block.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../src/clock/fake-clock.js';
import { parseIpv4 } from '../../src/packet/addr.js';
import { VrrpMachine, type VrrpAction, type VrrpState } from '../../src/vrrp/vrrp-machine.js';
import { VrrpSyncGroup } from '../../src/vrrp/vrrp-sync-group.js';
import { ScriptTracker, ScriptVerdict } from '../../src/vrrp/track-script.js';
import type { VrrpInstanceSpec } from '../../src/vrrp/vrrp-spec.js';

function instance(name: string, ifName: string, vrid: number): VrrpInstanceSpec {
  return {
    name,
    interface: ifName,
    vrid,
    priority: 100,
    advertIntMs: 1000,
    version: 2,
    preempt: true,
    preemptDelayMs: 0,
    vips: [{ addr: parseIpv4(`192.168.${vrid}.1`), prefixLen: 24, text: '' }],
    unicastPeers: [],
    trackInterfaces: [],
    trackScripts: [],
    garpMasterDelayMs: 0,
    garpMasterRepeat: 5,
    garpMasterRefreshMs: 0,
  };
}

/** Two members started in BACKUP; `apply` runs one member's actions and the group's follow-up. */
function pair() {
  const a = new VrrpMachine(instance('VI_CLIENT', 'eth1', 10), parseIpv4('192.168.10.253'));
  const b = new VrrpMachine(instance('VI_SERVERS', 'eth2', 20), parseIpv4('192.168.20.253'));
  const group = new VrrpSyncGroup({ name: 'G', members: ['VI_CLIENT', 'VI_SERVERS'] }, [a, b]);
  for (const m of [a, b]) m.step({ kind: 'startup' }, 0);
  const log: string[] = [];
  const apply = (m: VrrpMachine, actions: VrrpAction[], now: number): void => {
    for (const act of actions) {
      if (act.do !== 'state') continue;
      log.push(`${m.spec.name}:${act.to}`);
      for (const [other, more] of group.follow(m, act.to, now))
        for (const x of more) if (x.do === 'state') log.push(`${other.spec.name}:${x.to}`);
    }
  };
  const states = (): VrrpState[] => [a.state, b.state];
  return { a, b, group, apply, log, states };
}

test('sync group: one member becoming master takes the other to master', () => {
  const { a, apply, log, states, group } = pair();
  apply(a, a.step({ kind: 'timer', timer: 'masterDown' }, 3609), 3609);
  assert.deepEqual(log, ['VI_CLIENT:MASTER', 'VI_SERVERS:MASTER']);
  assert.deepEqual(states(), ['MASTER', 'MASTER']);
  assert.equal(group.state, 'MASTER');
});

test('sync group: one member seeing a higher master takes the other to backup', () => {
  const { a, b, apply, log, states } = pair();
  apply(a, a.step({ kind: 'timer', timer: 'masterDown' }, 3609), 3609);
  log.length = 0;
  const higher = {
    kind: 'advert' as const,
    from: parseIpv4('192.168.20.254'),
    ttl: 255,
    advert: {
      version: 2 as const,
      vrid: 20,
      priority: 200,
      intervalCs: 100,
      addrs: [parseIpv4('192.168.20.1')],
      authType: 0,
    },
  };
  apply(b, b.step(higher, 5000), 5000);
  assert.deepEqual(log, ['VI_SERVERS:BACKUP', 'VI_CLIENT:BACKUP']);
  assert.deepEqual(states(), ['BACKUP', 'BACKUP']);
});

test('sync group: a FAULT member takes the group to FAULT (the master releases its VIPs) until it recovers', () => {
  const { a, b, apply, log, states, group } = pair();
  apply(a, a.step({ kind: 'timer', timer: 'masterDown' }, 3609), 3609);
  log.length = 0;
  const followed: VrrpAction[][] = [];
  const down = b.step({ kind: 'interface', name: 'eth2', up: false }, 5000);
  for (const [, more] of group.follow(b, 'FAULT', 5000)) followed.push(more);
  assert.deepEqual(states(), ['FAULT', 'FAULT']);
  assert.ok(down.some((x) => x.do === 'removeVips'));
  assert.ok(
    followed[0]!.some((x) => x.do === 'send' && x.priority === 0),
    'the other sends priority 0',
  );
  assert.ok(followed[0]!.some((x) => x.do === 'removeVips'));
  // The healthy member cannot leave FAULT on its own.
  assert.deepEqual(a.step({ kind: 'interface', name: 'eth1', up: true }, 5500), []);
  // The faulty one recovers: BACKUP, and the group follows.
  apply(b, b.step({ kind: 'interface', name: 'eth2', up: true }, 6000), 6000);
  assert.deepEqual(states(), ['BACKUP', 'BACKUP']);
  assert.equal(group.state, 'BACKUP');
});

test('sync group: a member recovering while another still has its own fault stays in FAULT; recheck frees both later', () => {
  const { a, b, apply, states, group } = pair();
  apply(a, a.step({ kind: 'interface', name: 'eth1', up: false }, 1000), 1000);
  b.step({ kind: 'interface', name: 'eth2', up: false }, 1500); // already held in FAULT
  assert.deepEqual(
    a.step({ kind: 'interface', name: 'eth1', up: true }, 2000),
    [],
    'no passing BACKUP while b has its own fault',
  );
  assert.deepEqual(states(), ['FAULT', 'FAULT']);
  assert.deepEqual(b.step({ kind: 'interface', name: 'eth2', up: true }, 3000), []);
  assert.deepEqual(states(), ['FAULT', 'FAULT']);
  for (const [m, actions] of group.recheck(3000)) apply(m, actions, 3000);
  assert.deepEqual(states(), ['BACKUP', 'BACKUP']);
});

test('vrrp_script verdict: fall consecutive failures to fail, rise consecutive successes to recover', () => {
  const v = new ScriptVerdict(2, 3);
  const rows: [boolean, boolean | undefined, boolean][] = [
    [false, undefined, true],
    [true, undefined, true], // the streak is broken
    [false, undefined, true],
    [false, false, false],
    [true, undefined, false],
    [true, undefined, false],
    [true, true, true],
  ];
  for (const [result, change, ok] of rows) {
    assert.equal(v.record(result), change);
    assert.equal(v.ok, ok);
  }
});

test('vrrp_script runs every interval with its timeout, never twice at once, and reports changes', async () => {
  const clock = new FakeClock();
  const calls: [string, number, number][] = [];
  let verdict = true;
  let slow = false;
  const exec = (line: string, timeoutMs: number): Promise<boolean> => {
    calls.push([line, timeoutMs, clock.now()]);
    // A slow run finishes (killed) at its timeout, on the clock.
    if (slow) return new Promise((r) => clock.setTimer(timeoutMs, () => r(false)));
    return Promise.resolve(verdict);
  };
  const changes: [string, boolean, number][] = [];
  const t = new ScriptTracker(
    {
      name: 'chk',
      script: '/bin/check',
      intervalMs: 2000,
      timeoutMs: 3000,
      weight: -10,
      fall: 2,
      rise: 1,
    },
    clock,
    exec,
    (name, ok) => changes.push([name, ok, clock.now()]),
  );
  t.start();
  await clock.advanceAsync(4000);
  assert.deepEqual(
    calls.map((c) => c[2]),
    [0, 2000, 4000],
  );
  assert.deepEqual(calls[0]!.slice(0, 2), ['/bin/check', 3000]);
  verdict = false;
  await clock.advanceAsync(4000);
  assert.deepEqual(changes, [['chk', false, 8000]], 'failed after two failing runs (6 s, 8 s)');
  slow = true;
  await clock.advanceAsync(6000);
  // 10 s starts a run that lasts 3 s: the 12 s tick finds it running and skips it.
  assert.deepEqual(calls.map((c) => c[2]).slice(5), [10_000, 14_000]);
  t.stop();
  assert.equal(clock.pending, 1, 'only the run in flight remains');
});
