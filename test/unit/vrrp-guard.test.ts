import assert from 'node:assert/strict';
import { test } from 'node:test';
import { vrrpGuardRuleset } from '../../src/net/kernel-guard.js';

test('the VRRP guard drops protocol 112 (IPv4 and IPv6) at ingress of each VRRP interface, in one transaction', () => {
  assert.equal(
    vrrpGuardRuleset(['eth1', 'eth2']),
    [
      'table netdev uvs_vrrp',
      'delete table netdev uvs_vrrp',
      'table netdev uvs_vrrp {',
      '  chain vrrp_0 {',
      '    type filter hook ingress device "eth1" priority -500; policy accept;',
      '    ip protocol vrrp drop',
      '    ip6 nexthdr vrrp drop',
      '  }',
      '  chain vrrp_1 {',
      '    type filter hook ingress device "eth2" priority -500; policy accept;',
      '    ip protocol vrrp drop',
      '    ip6 nexthdr vrrp drop',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
});
