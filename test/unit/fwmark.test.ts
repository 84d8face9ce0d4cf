import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpv4, formatMac, parseIpv4, parseMac } from '../../src/packet/addr.js';
import { SourceCache } from '../../src/engine/source-cache.js';
import { fwmarkRuleset, markMac, markNeighbour } from '../../src/net/fwmark-tap.js';

test('the mark tap: each mark gets a neighbour whose MAC carries the mark, and a dup rule after mangle', () => {
  assert.equal(formatMac(markMac(1)), '02:75:00:00:00:01');
  assert.equal(formatMac(markMac(0xdeadbeef)), '02:75:de:ad:be:ef');
  assert.deepEqual(
    [0, 1, 255, 256].map((k) => formatIpv4(markNeighbour(k))),
    ['169.254.0.1', '169.254.0.2', '169.254.1.0', '169.254.1.1'],
  );
  assert.equal(
    fwmarkRuleset([1, 42]),
    [
      'table ip uvs_fwmark',
      'delete table ip uvs_fwmark',
      'table ip uvs_fwmark {',
      '  chain prerouting {',
      '    type filter hook prerouting priority -149; policy accept;',
      '    meta mark 1 dup to 169.254.0.1 device "uvsfwm0" drop',
      '    meta mark 42 dup to 169.254.0.2 device "uvsfwm0" drop',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
});

test('the source cache remembers where an address was last seen, and follows it when it moves', () => {
  const c = new SourceCache();
  const mac = Buffer.alloc(6);
  c.record(parseIpv4('10.0.0.1'), 7, parseMac('02:00:00:00:00:01'), 0);
  assert.equal(c.lookup(parseIpv4('10.0.0.1'), mac, 0), 7);
  assert.equal(formatMac(mac), '02:00:00:00:00:01');
  assert.equal(c.lookup(parseIpv4('10.0.0.2'), mac, 0), -1);
  c.record(parseIpv4('10.0.0.1'), 9, parseMac('02:00:00:00:00:09'), 0);
  assert.equal(c.lookup(parseIpv4('10.0.0.1'), mac, 0), 9);
});
