// A worker's packet sockets per interface: with V2 rings, a small-slot ring for frames up to
// SMALL_FRAME_MAX bytes and a 64 KiB-slot one for larger, their filters (run in the classic-BPF
// interpreter) splitting the frames the interface's filter accepts between them, each once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { portPlans } from '../../src/daemon/worker/port-plans.js';
import type { PortSpec } from '../../src/daemon/worker/worker-messages.js';
import { decodeProgram } from '../../src/io/afpacket/bpf-insn.js';
import { runFilter } from '../../src/io/afpacket/bpf-interpreter.js';
import { filterProgram } from '../../src/io/afpacket/bpf-program.js';
import {
  DEFAULT_RING_V2,
  DEFAULT_RING_V3,
  LARGE_FRAME_FANOUT_BIT,
  ringGeometry,
  SMALL_FRAME_MAX,
} from '../../src/io/afpacket/ring-config.js';
import { parseIpv4 } from '../../src/packet/addr.js';
import { buildFrame } from './fixtures/frames.js';

const VIP = '10.0.0.100';
const spec: PortSpec = {
  name: 'eth1',
  ifIndex: 7,
  filter: filterProgram({ vips: [{ addr: parseIpv4(VIP), proto: 'tcp', port: 80 }] }).bytes,
  fanoutGroup: 8,
};

/** A TCP frame to the VIP (`port`), `len` bytes long. */
function frame(len: number, port = 80): Buffer {
  return buildFrame({
    src: '172.16.0.5',
    dst: VIP,
    proto: 'tcp',
    sport: 40000,
    dport: port,
    payload: Buffer.alloc(len - 54),
  });
}

test('V2: two sockets per interface, small frames to the small-slot ring and large ones to the other, each once', () => {
  const [small, large] = portPlans([spec], DEFAULT_RING_V2);
  assert.ok(small && large);
  assert.equal(portPlans([spec, { ...spec, name: 'eth2', ifIndex: 9 }], DEFAULT_RING_V2).length, 4);
  const slots = (r: typeof small.ring): number => {
    const g = ringGeometry(r);
    return g.slotsPerBlock * g.blockCount;
  };
  assert.ok(slots(small.ring) > 7000, `small slots: ${slots(small.ring)}`);
  assert.equal(slots(large.ring), 240);
  assert.deepEqual([small.fanoutGroup, large.fanoutGroup], [8, 8 | LARGE_FRAME_FANOUT_BIT]);
  const run = (p: typeof small, f: Buffer): boolean => runFilter(decodeProgram(p.filter), f) > 0;
  for (const len of [60, 1514, SMALL_FRAME_MAX, SMALL_FRAME_MAX + 1, 9014, 65000]) {
    const f = frame(len);
    assert.deepEqual(
      [run(small, f), run(large, f)],
      [len <= SMALL_FRAME_MAX, len > SMALL_FRAME_MAX],
      `${len} bytes`,
    );
    const other = frame(len, 81);
    assert.deepEqual(
      [run(small, other), run(large, other)],
      [false, false],
      `${len} bytes, not ours`,
    );
  }
});

test('V3: one socket per interface, its filter as the interface has it; no fanout stays none', () => {
  const plans = portPlans([{ ...spec, fanoutGroup: 0 }], DEFAULT_RING_V3);
  assert.equal(plans.length, 1);
  assert.deepEqual(plans[0]!.filter, Buffer.from(spec.filter));
  assert.equal(plans[0]!.fanoutGroup, 0);
  const v2 = portPlans([{ ...spec, fanoutGroup: 0 }], DEFAULT_RING_V2);
  assert.deepEqual(
    v2.map((p) => p.fanoutGroup),
    [0, 0],
  );
});
