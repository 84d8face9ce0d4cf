import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameLoop } from '../../src/daemon/frame-loop.js';
import { MemoryBackend } from '../../src/io/memory-backend.js';
import { parseIpv4, parseMac } from '../../src/packet/addr.js';
import { buildArpRequest } from '../../src/packet/arp.js';
import { buildFrame, checksumsOk, fieldsOf } from './fixtures/frames.js';
import { CLIENT_IF, SERVER_IF } from './fixtures/fake-env.js';
import { CLIENT_MAC, natDirector, S1, VIP } from './fixtures/nat-director.js';

test('the frame loop hands each received frame to the engine, whose sink sends it, and feeds ARP to the cache', () => {
  const { rig, clock } = natDirector('rr');
  const io = new MemoryBackend();
  const learnt: number[] = [];
  io.open(
    ['eth1', 'eth2'],
    frameLoop(
      rig.engine,
      { learn: (_b, _off, len, ifIndex) => learnt.push(len, ifIndex) },
      () => clock.now,
    ),
  );

  io.inject(
    CLIENT_IF,
    buildFrame({
      srcMac: CLIENT_MAC,
      src: '192.168.10.1',
      dst: VIP,
      proto: 'tcp',
      sport: 40000,
      dport: 80,
      flags: 0x02,
    }),
  );
  assert.equal(rig.sent.length, 1);
  assert.equal(rig.sent[0]!.ifIndex, SERVER_IF);
  assert.equal(fieldsOf(rig.sent[0]!.frame).dst, S1);
  assert.ok(checksumsOk(rig.sent[0]!.frame));

  // Not ours: nothing is sent.
  io.inject(
    CLIENT_IF,
    buildFrame({
      src: '192.168.10.1',
      dst: '192.168.10.254',
      proto: 'tcp',
      sport: 1,
      dport: 22,
      flags: 0x02,
    }),
  );
  assert.equal(rig.sent.length, 1);

  // ARP goes to the neighbour cache; a request for the VIP (not held by the kernel) is answered.
  const arp = Buffer.alloc(60);
  buildArpRequest(arp, parseMac(CLIENT_MAC), parseIpv4('192.168.10.1'), parseIpv4(VIP));
  io.inject(CLIENT_IF, arp);
  assert.deepEqual(learnt, [60, CLIENT_IF]);
  assert.equal(rig.sent.length, 2);
  assert.equal(rig.sent[1]!.ifIndex, CLIENT_IF);
  assert.equal(rig.sent[1]!.frame.readUInt16BE(20), 2, 'an ARP reply');
});
