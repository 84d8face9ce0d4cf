import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineShared } from '../../src/engine/engine-shared.js';
import { parseIpv4, parseMac } from '../../src/packet/addr.js';
import { buildArpRequest, arpReplyInPlace } from '../../src/packet/arp.js';
import { InterfaceTable, parseIpAddrJson } from '../../src/net/interfaces.js';
import { guardRuleset } from '../../src/net/kernel-guard.js';
import { Neighbours } from '../../src/daemon/neighbours.js';
import { mergingFeaturesOn } from '../../src/net/offloads.js';

const IP_ADDR_JSON = JSON.stringify([
  {
    ifindex: 1,
    ifname: 'lo',
    flags: ['LOOPBACK', 'UP'],
    mtu: 65536,
    link_type: 'loopback',
    address: '00:00:00:00:00:00',
    addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }],
  },
  {
    ifindex: 7,
    ifname: 'eth1',
    flags: ['BROADCAST', 'UP'],
    mtu: 1500,
    link_type: 'ether',
    address: '02:dd:00:00:00:01',
    addr_info: [
      { family: 'inet', local: '192.168.10.254', prefixlen: 24 },
      { family: 'inet', local: '192.168.10.23', prefixlen: 24 },
      { family: 'inet6', local: 'fe80::1', prefixlen: 64 },
    ],
  },
]);

test('interfaces are read from ip -j addr: MAC, MTU, IPv4 addresses, loopback', () => {
  const list = parseIpAddrJson(IP_ADDR_JSON);
  assert.equal(list.length, 2);
  assert.equal(list[0]!.loopback, true);
  const eth1 = list[1]!;
  assert.deepEqual([eth1.name, eth1.ifIndex, eth1.mtu, eth1.up], ['eth1', 7, 1500, true]);
  assert.deepEqual(
    eth1.addrs.map((a) => a.addr),
    [parseIpv4('192.168.10.254'), parseIpv4('192.168.10.23')],
  );
  const t = new InterfaceTable();
  t.set(list);
  assert.equal(t.isLocalAddress(parseIpv4('192.168.10.23')), true);
  assert.equal(t.isLocalAddress(parseIpv4('192.168.10.99')), false, 'on the subnet, not local');
  assert.deepEqual(
    t.localAddresses().sort((a, b) => a - b),
    ['127.0.0.1', '192.168.10.23', '192.168.10.254'].map(parseIpv4),
  );
  assert.equal(t.named('eth1'), t.get(7));
  assert.equal(t.named('eth1')?.mac.toString('hex'), '02dd00000001');
  assert.equal(t.named('eth9'), undefined);
});

test('the guard drops service traffic and NAT replies, except replies to the director itself', () => {
  const text = guardRuleset({
    interfaces: ['eth1', 'eth2'],
    services: [{ proto: 'tcp', vip: parseIpv4('192.168.10.23'), port: 80 }],
    natDests: [
      { proto: 'tcp', addr: parseIpv4('192.168.20.1'), port: 8080 },
      { proto: 'tcp', addr: parseIpv4('192.168.20.1'), port: 8080 },
    ],
    localAddrs: [parseIpv4('192.168.10.254'), parseIpv4('192.168.20.254')],
  });
  assert.equal(
    text,
    [
      'table netdev uvs',
      'delete table netdev uvs',
      'table netdev uvs {',
      '  chain ingress_0 {',
      '    type filter hook ingress device "eth1" priority -500; policy accept;',
      '    ip daddr 192.168.10.23 tcp dport 80 drop',
      '    ip saddr 192.168.20.1 tcp sport 8080 ip daddr != { 192.168.10.254, 192.168.20.254 } drop',
      '  }',
      '  chain ingress_1 {',
      '    type filter hook ingress device "eth2" priority -500; policy accept;',
      '    ip daddr 192.168.10.23 tcp dport 80 drop',
      '    ip saddr 192.168.20.1 tcp sport 8080 ip daddr != { 192.168.10.254, 192.168.20.254 } drop',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
});

test('receive offloads that merge frames are found in ethtool -k output, fixed ones ignored', () => {
  const out = [
    'Features for veth0:',
    'rx-checksumming: on',
    'generic-receive-offload: on',
    'large-receive-offload: off [fixed]',
    'rx-gro-hw: on [fixed]',
    'rx-gro-list: off',
  ].join('\n');
  assert.deepEqual(mergingFeaturesOn(out), ['generic-receive-offload']);
});

test('userspace ARP: a request goes out, the reply is learnt, a later MAC change is followed', () => {
  const sent: Buffer[] = [];
  const ifaces = new InterfaceTable();
  ifaces.set(parseIpAddrJson(IP_ADDR_JSON));
  const now = 0;
  const n = new Neighbours(
    (_i, b, o, l) => (sent.push(Buffer.from(b.subarray(o, o + l))), true),
    ifaces,
    EngineShared.create(16, 0).neighbours,
    () => now,
  );
  const rs = parseIpv4('192.168.10.7');
  n.request(rs, 7);
  n.request(rs, 7); // rate-limited: within a second, one request only
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.readUInt32BE(38), rs, 'asks for the real server');
  assert.equal(
    sent[0]!.readUInt32BE(28),
    parseIpv4('192.168.10.254'),
    'from our address on its subnet',
  );
  const reply = Buffer.alloc(60);
  buildArpRequest(reply, parseMac('02:aa:00:00:00:01'), parseIpv4('192.168.10.254'), rs);
  arpReplyInPlace(reply, rs, parseMac('02:51:00:00:00:07'));
  n.learn(reply, 0, 60, 7);
  assert.deepEqual([...n.lookup(rs)!], [...parseMac('02:51:00:00:00:07')]);
  // The server's card changed: its gratuitous ARP updates the entry in place.
  const garp = Buffer.alloc(60);
  buildArpRequest(garp, parseMac('02:51:00:00:00:99'), rs, rs);
  n.learn(garp, 0, 60, 7);
  assert.deepEqual([...n.lookup(rs)!], [...parseMac('02:51:00:00:00:99')]);
  // Unknown senders are not learnt.
  const other = Buffer.alloc(60);
  buildArpRequest(other, parseMac('02:00:00:00:00:55'), parseIpv4('192.168.10.55'), rs);
  n.learn(other, 0, 60, 7);
  assert.equal(n.lookup(parseIpv4('192.168.10.55')), undefined);
  n.close();
});
