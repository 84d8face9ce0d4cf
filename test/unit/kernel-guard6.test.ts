import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressError, parseIpv4 } from '../../src/packet/addr.js';
import { guardRuleset } from '../../src/net/kernel-guard.js';

test('the guard has the same rules for IPv6: services, NAT replies except to the director', () => {
  const text = guardRuleset({
    interfaces: ['eth1'],
    services: [{ proto: 'tcp', vip: parseIpv4('192.168.10.23'), port: 80 }],
    natDests: [],
    localAddrs: [parseIpv4('192.168.10.254')],
    services6: [
      { proto: 'tcp', vip: '2001:db8:10::100', port: 80 },
      { proto: 'udp', vip: '2001:DB8:10:0::100', port: 0 },
    ],
    natDests6: [
      { proto: 'tcp', addr: '2001:db8:20::11', port: 8080 },
      { proto: 'tcp', addr: '2001:db8:20:0::11', port: 8080 },
      { proto: 'udp', addr: '2001:db8:20::12', port: 0 },
    ],
    localAddrs6: ['2001:db8:10::fe', 'fe80::1'],
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
      '    ip6 daddr 2001:db8:10::100 tcp dport 80 drop',
      '    ip6 daddr 2001:db8:10::100 meta l4proto udp drop',
      '    ip6 saddr 2001:db8:20::11 tcp sport 8080 ip6 daddr != { 2001:db8:10::fe, fe80::1 } drop',
      '    ip6 saddr 2001:db8:20::12 meta l4proto udp ip6 daddr != { 2001:db8:10::fe, fe80::1 } drop',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
});

test('IPv6 NAT replies without local IPv6 addresses: dropped whatever their destination', () => {
  const text = guardRuleset({
    interfaces: ['eth0'],
    services: [],
    natDests: [],
    localAddrs: [],
    natDests6: [{ proto: 'udp', addr: '2001:db8:20::11', port: 53 }],
  });
  assert.match(text, /^ {4}ip6 saddr 2001:db8:20::11 udp sport 53 drop$/m);
});

test('an address that is not IPv6 never reaches nft', () => {
  assert.throws(
    () =>
      guardRuleset({
        interfaces: ['eth0'],
        services: [],
        natDests: [],
        localAddrs: [],
        services6: [{ proto: 'tcp', vip: '2001:db8::1 } accept; {', port: 80 }],
      }),
    AddressError,
  );
});
