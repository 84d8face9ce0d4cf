import assert from 'node:assert/strict';
import { isIPv6 } from 'node:net';
import { test } from 'node:test';
import {
  AddressError,
  addressFamily,
  canonicalIpv6,
  compareIpv6,
  formatIpv6,
  formatIpv6Words,
  isIpv6,
  maskIpv6Words,
  parseIpv6,
  parseIpv6Words,
} from '../../src/packet/addr.js';

// Expected text from glibc's inet_ntop(inet_pton(text)) (what ipvsadm prints).
const FORMS: readonly [string, string][] = [
  ['2001:db8::1', '2001:db8::1'],
  ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
  ['::', '::'],
  ['::1', '::1'],
  ['1::', '1::'],
  ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
  ['1:0:0:0:1:0:0:1', '1::1:0:0:1'],
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
  ['::1.2.3.4', '::1.2.3.4'],
  ['::0.0.0.2', '::2'],
  ['::ffff:0.0.1.2', '::ffff:0.0.1.2'],
  ['fe80::a:b', 'fe80::a:b'],
  ['2001:DB8::AbCd', '2001:db8::abcd'],
  ['0:0:1::', '0:0:1::'],
  ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
  ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
  ['ff02::1:ff00:11', 'ff02::1:ff00:11'],
  ['2001:db8:0:0:1::', '2001:db8:0:0:1::'],
  ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ['::ffff:0:1.2.3.4', '::ffff:0:102:304'],
  ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
];

test('IPv6 text parses and prints as glibc inet_pton/inet_ntop do', () => {
  for (const [text, canonical] of FORMS) {
    assert.equal(canonicalIpv6(text), canonical, text);
    assert.ok(isIPv6(text), `node agrees that ${text} is IPv6`);
  }
});

// Each rejected by inet_pton(AF_INET6) (checked with Python's socket.inet_pton).
const BAD = [
  '',
  '1',
  '1.2.3.4',
  ':::',
  '1:::2',
  '::1::',
  '1:2:3:4:5:6:7:8:9',
  '12345::',
  '::g',
  '1:2:3:4:5:6:7',
  'fe80::1%eth0',
  '[::1]',
  '::1.2.3',
  '::1.2.3.4.5',
  '::01.2.3.4',
  '1::2::3',
  ':1::',
  ':1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:8:',
  '::256.1.1.1',
  '1.2.3.4::',
  '::1.2.3.4:5',
  ' ::1',
  '1:2:3:4:5:6:7:1.2.3.4',
];

test('malformed IPv6 text is refused with an AddressError naming it', () => {
  for (const text of BAD) {
    assert.equal(isIpv6(text), false, JSON.stringify(text));
    assert.throws(
      () => parseIpv6(text),
      (e: unknown) => {
        return e instanceof AddressError && e.message === `invalid IPv6 address "${text}"`;
      },
    );
  }
});

test('the 16 bytes and the four words of an address', () => {
  const b = parseIpv6('2001:db8::a:b00:1');
  assert.equal(b.toString('hex'), '20010db8000000000000000a0b000001');
  assert.equal(formatIpv6(Buffer.concat([Buffer.from([9, 9]), b]), 2), '2001:db8::a:b00:1');
  const w = parseIpv6Words('2001:db8::a:b00:1');
  assert.deepEqual([...w], [0x20010db8, 0, 0x000a, 0x0b000001]);
  assert.equal(formatIpv6Words(w), '2001:db8::a:b00:1');
});

test('prefix masks keep the first n bits of the 128 (ipvsadm -M 1..128 for IPv6)', () => {
  const cases: [number, string][] = [
    [128, '2001:db8:1234:5678:9abc:def0:1234:5678'],
    [64, '2001:db8:1234:5678::'],
    [48, '2001:db8:1234::'],
    [56, '2001:db8:1234:5600::'],
    [1, '::'],
    [0, '::'],
    [97, '2001:db8:1234:5678:9abc:def0::'],
    [100, '2001:db8:1234:5678:9abc:def0:1000:0'],
  ];
  for (const [len, expected] of cases) {
    const w = parseIpv6Words('2001:db8:1234:5678:9abc:def0:1234:5678');
    maskIpv6Words(w, len);
    assert.equal(formatIpv6Words(w), expected, `/${len}`);
  }
});

test('addresses order as 128-bit numbers; the family of a text', () => {
  const sorted = ['2001:db8::11', '2001:db8::2', '::1', 'fe80::1', '2001:db8::1:0'].sort((a, b) =>
    compareIpv6(parseIpv6(a), 0, parseIpv6(b), 0),
  );
  assert.deepEqual(sorted, ['::1', '2001:db8::2', '2001:db8::11', '2001:db8::1:0', 'fe80::1']);
  assert.equal(addressFamily('192.168.10.23'), 4);
  assert.equal(addressFamily('2001:db8::100'), 6);
  assert.equal(addressFamily('::ffff:192.168.10.23'), 6);
  assert.equal(addressFamily('www'), undefined);
});
