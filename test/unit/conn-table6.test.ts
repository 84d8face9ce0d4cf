// The IPv6 connection table: found from both sides by the full 128-bit addresses, addresses that
// fold alike told apart, templates, a restart's adoption under a new seed, and the IPv4 entries'
// size untouched by IPv6.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONN_STRIDE_V4, CONN_STRIDE_V6 } from '../../src/engine/conn-layout.js';
import type { ConnTable6, TemplateInit6 } from '../../src/engine/conn-table6.js';
import { EngineShared } from '../../src/engine/engine-shared.js';
import { parseIpv6Words } from '../../src/packet/addr.js';

const w = (text: string): Uint32Array => parseIpv6Words(text);
const VIP = w('2001:db8::100');
const RIP1 = w('2001:db8:20::11');
const RIP2 = w('2001:db8:20::12');

function table(capacity = 1024): ConnTable6 {
  return EngineShared.create(capacity, 0).conns6;
}

function add(t: ConnTable6, c: Uint32Array, cport: number, d: Uint32Array): number {
  const i = t.prepare6(6, c, 0, cport, VIP, 0, 80, d, 0, 8080, 0);
  if (i >= 0) t.publish(i);
  return i;
}

test('IPv6 connections are found from both sides by their full addresses', () => {
  const t = table(8192);
  const ids: number[] = [];
  for (let k = 0; k < 5000; k++) {
    const c = w(`2001:db8:10::${(k + 1).toString(16)}`);
    ids.push(add(t, c, 1024 + (k % 60000), k % 2 ? RIP2 : RIP1));
  }
  assert.equal(t.count, 5000);
  for (let k = 0; k < 5000; k += 7) {
    const c = w(`2001:db8:10::${(k + 1).toString(16)}`);
    const port = 1024 + (k % 60000);
    assert.equal(t.lookupIn6(6, c, 0, port, VIP, 0, 80), ids[k]);
    assert.equal(t.lookupOut6(6, k % 2 ? RIP2 : RIP1, 0, 8080, c, 0, port), ids[k]);
    assert.equal(t.lookupOut6(6, k % 2 ? RIP1 : RIP2, 0, 8080, c, 0, port), -1, 'other server');
  }
  assert.equal(t.lookupIn6(17, w('2001:db8:10::1'), 0, 1024, VIP, 0, 80), -1, 'protocol');
});

test('addresses whose words XOR to the same fold are told apart', () => {
  const t = table(64);
  // Words swapped: the XOR of the four words (what schedulers see) is the same.
  const a = w('2001:db8:10:0:1:2:3:4');
  const b = w('2001:db8:10:0:3:4:1:2');
  const ia = add(t, a, 5000, RIP1);
  const ib = add(t, b, 5000, RIP2);
  assert.notEqual(ia, ib);
  assert.equal(t.lookupIn6(6, a, 0, 5000, VIP, 0, 80), ia);
  assert.equal(t.lookupIn6(6, b, 0, 5000, VIP, 0, 80), ib);
  assert.equal(t.lookupIn6(6, w('2001:db8:10:0:1:2:3:5'), 0, 5000, VIP, 0, 80), -1);
});

test('a template per masked client: found, made once, and not a connection', () => {
  const t = table(64);
  const client = w('2001:db8:10::');
  const init: TemplateInit6 = {
    daddr: 0,
    dport: 80,
    flags: 0,
    created: false,
    daddr6: RIP1,
    daddr6Off: 0,
    fill: () => true,
  };
  const i = t.templateFor6(6, client, 0, VIP, 0, 80, init);
  assert.ok(i >= 0 && init.created);
  assert.equal(t.templateFor6(6, client, 0, VIP, 0, 80, init), i);
  assert.equal(init.created, false, 'found, not made again');
  assert.equal(t.lookupTemplate6(6, client, 0, VIP, 0, 80), i);
  assert.equal(t.lookupIn6(6, client, 0, 0, VIP, 0, 80), -1, 'templates are not connections');
});

test('adopted after a restart under a new seed, entries are found again', () => {
  const t = table(256);
  const clients = Array.from({ length: 100 }, (_, k) => w(`2001:db8:10::${k + 1}`));
  const ids = clients.map((c, k) => add(t, c, 2000 + k, RIP1));
  const kept = t.adopt(0x5eed, () => true);
  assert.deepEqual(kept, ids);
  clients.forEach((c, k) => {
    assert.equal(t.lookupIn6(6, c, 0, 2000 + k, VIP, 0, 80), ids[k]);
    assert.equal(t.lookupOut6(6, RIP1, 0, 8080, c, 0, 2000 + k), ids[k]);
  });
});

test('IPv4 entries keep their size: the IPv6 table has entries of its own', () => {
  const s = EngineShared.create(1024, 0);
  assert.equal(s.conns.stride, CONN_STRIDE_V4);
  assert.equal(s.conns6.stride, CONN_STRIDE_V6);
  assert.equal(CONN_STRIDE_V4, 26);
  assert.equal(CONN_STRIDE_V6, 38);
  assert.equal(s.conns.w.length, 1024 * 26);
});
