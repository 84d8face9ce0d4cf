// The first-SYN defence: first SYNs refused while a receive ring backs up under a flood of new
// connections, their retransmissions let through; the share refused follows the ring's pressure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FirstSynDrop, FirstSynMode, SynGate } from '../../src/engine/first-syn-drop.js';
import { Verdict } from '../../src/engine/verdict.js';
import { CLIENT_IF } from './fixtures/fake-env.js';
import { buildFrame } from './fixtures/frames.js';
import { CLIENT_MAC, natDirector, VIP } from './fixtures/nat-director.js';
import { fromClient6, nat6Director } from './fixtures/nat6-director.js';

const SYN = 0x02;

/** `periods` periods of 100 ms from `t`, each with `frames` frames of which `syns` new SYNs. */
function periods(
  gate: FirstSynDrop,
  t: number,
  n: number,
  backlogged: boolean,
  syns: number,
  frames: number,
): number {
  for (let k = 0; k < n; k++) {
    for (let s = 0; s < syns; s++) gate.noteSyn();
    gate.notePressure(backlogged, frames, t);
    t += 100;
  }
  return t;
}

test('mode 1: idle until a ring backs up for two periods in a row under a flood of SYNs, then half way to all each period', () => {
  const gate = new FirstSynDrop(1 << 10);
  assert.equal(gate.active(FirstSynMode.Auto), false);
  let t = periods(gate, 0, 1, true, 500, 1000);
  assert.equal(gate.refusedShare, 0, 'one pressed period is a burst');
  t = periods(gate, t, 1, true, 500, 1000);
  assert.equal(gate.refusedShare, 0.5);
  assert.equal(gate.active(FirstSynMode.Auto), true);
  t = periods(gate, t, 2, true, 500, 1000);
  assert.equal(gate.refusedShare, 0.875);
  // The ring keeps up: the share goes down by a sixteenth each period, to nothing.
  t = periods(gate, t, 1, false, 500, 1000);
  assert.equal(gate.refusedShare, 0.8125);
  periods(gate, t, 20, false, 500, 1000);
  assert.equal(gate.refusedShare, 0);
  assert.equal(gate.active(FirstSynMode.Auto), false);
  assert.equal(gate.active(FirstSynMode.Off), false);
  assert.equal(gate.active(FirstSynMode.Always), true);
});

test('mode 1: a ring filled by a bulk transfer (few SYNs among its frames) refuses nothing', () => {
  const gate = new FirstSynDrop(1 << 10);
  periods(gate, 0, 30, true, 20, 1000);
  assert.equal(gate.refusedShare, 0);
});

test('a refused SYN sent again within the window passes, once; later or from another port it is a first SYN', () => {
  const gate = new FirstSynDrop(1 << 10);
  const always = FirstSynMode.Always;
  assert.equal(
    gate.check(always, 0x0a000001, 0xc0a80a17, (40000 << 16) | 80, 5000),
    SynGate.Refuse,
  );
  assert.equal(
    gate.check(always, 0x0a000001, 0xc0a80a17, (40001 << 16) | 80, 5000),
    SynGate.Refuse,
  );
  assert.equal(gate.check(always, 0x0a000001, 0xc0a80a17, (40000 << 16) | 80, 6000), SynGate.Retry);
  assert.equal(
    gate.check(always, 0x0a000001, 0xc0a80a17, (40000 << 16) | 80, 6001),
    SynGate.Refuse,
  );
  assert.equal(
    gate.check(always, 0x0a000001, 0xc0a80a17, (40001 << 16) | 80, 5000 + 31_000),
    SynGate.Refuse,
  );
});

test('mode 1 refuses about its share of first SYNs, at random', () => {
  const gate = new FirstSynDrop(1 << 16);
  periods(gate, 0, 2, true, 500, 1000);
  assert.equal(gate.refusedShare, 0.5);
  let refused = 0;
  for (let k = 0; k < 10000; k++)
    if (
      gate.check(FirstSynMode.Auto, 0x0a000000 + k, 0xc0a80a17, (1024 << 16) | 80, 0) ===
      SynGate.Refuse
    )
      refused++;
  assert.ok(refused > 4500 && refused < 5500, `${refused} of 10000`);
});

test('the engine drops a first SYN (drop.first_syn) and forwards its retransmission (syn_retried)', () => {
  const { engine, director, clock } = natDirector('rr');
  director.setDefense({
    dropEntry: 0,
    dropPacket: 0,
    secureTcp: 0,
    amemthresh: 0,
    firstSynDrop: 2,
  });
  const syn = buildFrame({
    srcMac: CLIENT_MAC,
    src: '192.168.10.1',
    dst: VIP,
    proto: 'tcp',
    sport: 43000,
    dport: 80,
    flags: SYN,
  });
  const again = Buffer.from(syn);
  assert.equal(engine.process(syn, syn.length, CLIENT_IF, clock.now), Verdict.Drop);
  assert.equal(director.connections().length, 0);
  clock.advance(1000);
  assert.equal(engine.process(again, again.length, CLIENT_IF, clock.now), Verdict.Forward);
  assert.equal(director.connections().length, 1);
  assert.equal(director.counters()['drop.first_syn'], 1);
  assert.equal(director.counters()['syn_retried'], 1);
});

test('the engine refuses an IPv6 first SYN and forwards its retransmission', () => {
  const { rig, clock } = nat6Director('rr');
  rig.director.setDefense({
    dropEntry: 0,
    dropPacket: 0,
    secureTcp: 0,
    amemthresh: 0,
    firstSynDrop: 2,
  });
  const syn = fromClient6({ sport: 43000, flags: SYN });
  const again = Buffer.from(syn);
  assert.equal(rig.process(syn, syn.length, CLIENT_IF, clock.now), Verdict.Drop);
  assert.equal(rig.process(again, again.length, CLIENT_IF, clock.now + 1000), Verdict.Forward);
  assert.equal(rig.counters()['drop.first_syn'], 1);
  assert.equal(rig.counters()['syn_retried'], 1);
});
