// The VRRP state machine, transition by transition (RFC 5798 §6.4 / RFC 3768 §6.4): each row
// is an event at a time and the exact actions it must produce. Times are those a fake clock
// would give; nothing sleeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIpv4 } from '../../src/packet/addr.js';
import { VrrpMachine, type VrrpAction, type VrrpEvent } from '../../src/vrrp/vrrp-machine.js';
import { passwordBytes, VrrpAuthType, type VrrpAdvert } from '../../src/vrrp/vrrp-packet.js';
import type { VrrpInstanceSpec } from '../../src/vrrp/vrrp-spec.js';

const VIP = parseIpv4('192.168.10.23');
const ME = parseIpv4('192.168.10.253');
const PEER_LOW = parseIpv4('192.168.10.252');
const PEER_HIGH = parseIpv4('192.168.10.254');

function spec(over: Partial<VrrpInstanceSpec> = {}): VrrpInstanceSpec {
  return {
    name: 'VI_1',
    interface: 'eth1',
    vrid: 51,
    priority: 100,
    advertIntMs: 1000,
    version: 2,
    preempt: true,
    preemptDelayMs: 0,
    vips: [{ addr: VIP, prefixLen: 24, text: '192.168.10.23/24' }],
    unicastPeers: [],
    trackInterfaces: [],
    trackScripts: [],
    garpMasterDelayMs: 5000,
    garpMasterRepeat: 5,
    garpMasterRefreshMs: 0,
    ...over,
  };
}

function advert(priority: number, over: Partial<VrrpAdvert> = {}): VrrpAdvert {
  return {
    version: 2,
    vrid: 51,
    priority,
    intervalCs: 100,
    addrs: [VIP],
    authType: VrrpAuthType.None,
    ...over,
  };
}

const from = (peer: number, a: VrrpAdvert, ttl = 255): VrrpEvent => ({
  kind: 'advert',
  from: peer,
  ttl,
  advert: a,
});

/** priority 100, advert_int 1 s: skew = 156/256 s, master down = 3 s + skew. */
const SKEW = (156 * 1000) / 256;
const DOWN = 3000 + SKEW;

const BECOME_MASTER = (prio = 100, from: string = 'BACKUP'): VrrpAction[] => [
  { do: 'send', priority: prio },
  { do: 'addVips' },
  { do: 'garp' },
  { do: 'arm', timer: 'garp', ms: 5000 },
  { do: 'arm', timer: 'advert', ms: 1000 },
  {
    do: 'state',
    from: from as 'BACKUP',
    to: 'MASTER',
    reason: 'no advert within the master down interval',
  },
  { do: 'notify', state: 'MASTER' },
];

/** Runs `rows` in order on one machine; each row's actions must match exactly. */
function run(m: VrrpMachine, rows: [VrrpEvent, number, VrrpAction[] | undefined][]): void {
  rows.forEach(([e, now, want], i) => {
    const got = m.step(e, now);
    if (want) assert.deepEqual(got, want, `row ${i}: ${JSON.stringify(e)} at ${now}`);
  });
}

const startup: VrrpEvent = { kind: 'startup' };
const masterDown: VrrpEvent = { kind: 'timer', timer: 'masterDown' };
const advertTimer: VrrpEvent = { kind: 'timer', timer: 'advert' };

test('init → backup with Master_Down_Interval = 3 × advert_int + skew', () => {
  const m = new VrrpMachine(spec(), ME);
  run(m, [
    [
      startup,
      0,
      [
        { do: 'arm', timer: 'masterDown', ms: DOWN },
        { do: 'state', from: 'INIT', to: 'BACKUP', reason: 'startup' },
        { do: 'notify', state: 'BACKUP' },
      ],
    ],
  ]);
  assert.equal(m.state, 'BACKUP');
  assert.equal(m.masterDownMs, 3609.375);
});

test('init → master at once for the address owner (priority 255)', () => {
  const m = new VrrpMachine(spec({ priority: 255 }), ME);
  const got = m.step(startup, 0);
  assert.deepEqual(got[0], { do: 'send', priority: 255 });
  assert.deepEqual(got.at(-2), {
    do: 'state',
    from: 'INIT',
    to: 'MASTER',
    reason: 'address owner (priority 255)',
  });
});

test('backup: the master down timer makes it master (advert, VIPs, gratuitous ARPs, timers)', () => {
  const m = new VrrpMachine(spec(), ME);
  run(m, [
    [startup, 0, undefined],
    [masterDown, DOWN, BECOME_MASTER()],
    [
      advertTimer,
      DOWN + 1000,
      [
        { do: 'send', priority: 100 },
        { do: 'arm', timer: 'advert', ms: 1000 },
      ],
    ],
    [{ kind: 'timer', timer: 'garp' }, DOWN + 5000, [{ do: 'garp' }]],
  ]);
});

test('backup: adverts of a higher or equal master reset the master down timer; lower ones are preempted', () => {
  const m = new VrrpMachine(spec(), ME);
  const reset: VrrpAction[] = [{ do: 'arm', timer: 'masterDown', ms: DOWN }];
  run(m, [
    [startup, 0, undefined],
    [from(PEER_HIGH, advert(150)), 1000, reset],
    [from(PEER_LOW, advert(100)), 2000, reset],
    [from(PEER_LOW, advert(50)), 3000, []],
  ]);
});

test('backup with nopreempt accepts a lower-priority master', () => {
  const m = new VrrpMachine(spec({ preempt: false }), ME);
  run(m, [
    [startup, 0, undefined],
    [from(PEER_LOW, advert(50)), 1000, [{ do: 'arm', timer: 'masterDown', ms: DOWN }]],
  ]);
});

test('preempt_delay: a lower master is tolerated for preempt_delay after entering backup', () => {
  const m = new VrrpMachine(spec({ preemptDelayMs: 5000 }), ME);
  run(m, [
    [startup, 0, undefined],
    [from(PEER_LOW, advert(50)), 4000, [{ do: 'arm', timer: 'masterDown', ms: DOWN }]],
    [from(PEER_LOW, advert(50)), 5000, []],
  ]);
});

test('backup: a priority 0 advert (master stopping) sets the master down timer to skew time', () => {
  const m = new VrrpMachine(spec(), ME);
  run(m, [
    [startup, 0, undefined],
    [from(PEER_HIGH, advert(0)), 1000, [{ do: 'arm', timer: 'masterDown', ms: SKEW }]],
    [masterDown, 1000 + SKEW, BECOME_MASTER()],
  ]);
  assert.equal(m.stats.priorityZeroReceived, 1);
});

test('master: a higher priority, or an equal one from a higher address, takes it to backup', () => {
  for (const [peer, prio] of [
    [PEER_LOW, 150],
    [PEER_HIGH, 100],
  ] as const) {
    const m = new VrrpMachine(spec(), ME);
    run(m, [
      [startup, 0, undefined],
      [masterDown, DOWN, undefined],
      [
        from(peer, advert(prio)),
        5000,
        [
          { do: 'cancel', timer: 'garp' },
          { do: 'cancel', timer: 'advert' },
          { do: 'removeVips' },
          { do: 'arm', timer: 'masterDown', ms: DOWN },
          {
            do: 'state',
            from: 'MASTER',
            to: 'BACKUP',
            reason: `higher priority advert (${prio}) from ${peer === PEER_LOW ? '192.168.10.252' : '192.168.10.254'}`,
          },
          { do: 'notify', state: 'BACKUP' },
        ],
      ],
    ]);
    assert.equal(m.stats.releasedMaster, 1);
  }
});

test('master: lower priority (or equal from a lower address) and priority 0 are answered with an advert at once', () => {
  const m = new VrrpMachine(spec(), ME);
  const assertSelf: VrrpAction[] = [
    { do: 'send', priority: 100 },
    { do: 'arm', timer: 'advert', ms: 1000 },
  ];
  run(m, [
    [startup, 0, undefined],
    [masterDown, DOWN, undefined],
    [from(PEER_LOW, advert(50)), 5000, assertSelf],
    [from(PEER_LOW, advert(100)), 5100, assertSelf],
    [from(PEER_HIGH, advert(0)), 5200, assertSelf],
  ]);
  assert.equal(m.state, 'MASTER');
});

test('shutdown: a master sends priority 0, removes its VIPs and stops', () => {
  const m = new VrrpMachine(spec(), ME);
  run(m, [
    [startup, 0, undefined],
    [masterDown, DOWN, undefined],
    [
      { kind: 'shutdown' },
      6000,
      [
        { do: 'cancel', timer: 'garp' },
        { do: 'cancel', timer: 'advert' },
        { do: 'send', priority: 0 },
        { do: 'removeVips' },
        { do: 'state', from: 'MASTER', to: 'STOP', reason: 'shutdown' },
        { do: 'notify', state: 'STOP' },
      ],
    ],
    [{ kind: 'shutdown' }, 6001, []],
    [from(PEER_HIGH, advert(200)), 7000, []],
  ]);
});

test('received adverts failing the RFC checks are dropped and counted', () => {
  const pass = spec({ authPass: 'secret' });
  const good = advert(150, { authType: VrrpAuthType.Pass, authData: passwordBytes('secret') });
  const rows: { name: string; s?: VrrpInstanceSpec; e: VrrpEvent; reason: string }[] = [
    { name: 'TTL 64', e: from(PEER_HIGH, advert(150), 64), reason: 'ttl' },
    {
      name: 'version 3 to a version 2 instance',
      e: from(PEER_HIGH, advert(150, { version: 3 })),
      reason: 'version',
    },
    {
      name: 'advert_int 2 s',
      e: from(PEER_HIGH, advert(150, { intervalCs: 200 })),
      reason: 'interval',
    },
    {
      name: 'no authentication where PASS is configured',
      s: pass,
      e: from(PEER_HIGH, advert(150)),
      reason: 'auth',
    },
    {
      name: 'a wrong password',
      s: pass,
      e: from(PEER_HIGH, { ...good, authData: passwordBytes('Secret') }),
      reason: 'auth',
    },
    { name: 'PASS where none is configured', e: from(PEER_HIGH, good), reason: 'auth' },
    {
      name: 'other virtual addresses',
      e: from(PEER_HIGH, advert(150, { addrs: [VIP + 1] })),
      reason: 'addresses',
    },
    {
      name: 'from an address that is not a unicast peer',
      s: spec({ unicastPeers: [PEER_LOW] }),
      e: from(PEER_HIGH, advert(150)),
      reason: 'peer',
    },
  ];
  for (const r of rows) {
    const m = new VrrpMachine(r.s ?? spec(), ME);
    m.step(startup, 0);
    assert.deepEqual(m.step(r.e, 100), [{ do: 'drop', reason: r.reason }], r.name);
    assert.equal(m.stats.dropped[r.reason as 'ttl'], 1, r.name);
    assert.equal(m.state, 'BACKUP', r.name);
  }
  // The right password passes; so do other addresses from the address owner.
  const ok = new VrrpMachine(pass, ME);
  ok.step(startup, 0);
  assert.deepEqual(ok.step(from(PEER_HIGH, good), 100), [
    { do: 'arm', timer: 'masterDown', ms: DOWN },
  ]);
  const owner = new VrrpMachine(spec(), ME);
  owner.step(startup, 0);
  assert.equal(owner.step(from(PEER_HIGH, advert(255, { addrs: [VIP + 1] })), 100)[0]?.do, 'arm');
});

test('our own adverts and other VRIDs are ignored', () => {
  const m = new VrrpMachine(spec(), ME);
  m.step(startup, 0);
  assert.deepEqual(m.step(from(ME, advert(200)), 10), []);
  assert.deepEqual(m.step(from(PEER_HIGH, advert(200, { vrid: 52 })), 10), []);
  assert.equal(m.stats.advertsReceived, 0);
});

test('version 3: a backup learns the master advertisement interval', () => {
  const m = new VrrpMachine(spec({ version: 3 }), ME);
  m.step(startup, 0);
  const got = m.step(from(PEER_HIGH, advert(150, { version: 3, intervalCs: 200 })), 100);
  // 3 × 2 s + (256 − 100) × 2 s / 256
  assert.deepEqual(got, [{ do: 'arm', timer: 'masterDown', ms: 6000 + (156 * 2000) / 256 }]);
});

test('track_script weights move the advertised priority; a negative weight lets a backup preempt', () => {
  const m = new VrrpMachine(
    spec({
      trackScripts: [
        { name: 'chk_web', weight: -30 },
        { name: 'chk_bonus', weight: 10 },
      ],
    }),
    ME,
  );
  assert.equal(m.priority, 110, 'bonus while chk_bonus succeeds');
  run(m, [
    [startup, 0, undefined],
    [masterDown, DOWN, undefined],
    [{ kind: 'script', name: 'chk_web', ok: false }, 5000, []],
    [
      advertTimer,
      5400,
      [
        { do: 'send', priority: 80 },
        { do: 'arm', timer: 'advert', ms: 1000 },
      ],
    ],
    [{ kind: 'script', name: 'chk_bonus', ok: false }, 5500, []],
    [
      advertTimer,
      6400,
      [
        { do: 'send', priority: 70 },
        { do: 'arm', timer: 'advert', ms: 1000 },
      ],
    ],
  ]);
  const backup = new VrrpMachine(spec({ priority: 90 }), PEER_LOW);
  backup.step(startup, 0);
  assert.deepEqual(backup.step(from(ME, advert(70)), 6400), [], 'preempted: no reset');
  const clamp = new VrrpMachine(
    spec({ priority: 20, trackScripts: [{ name: 'x', weight: -50 }] }),
    ME,
  );
  clamp.step({ kind: 'script', name: 'x', ok: false }, 0);
  assert.equal(clamp.priority, 1, 'never below 1');
});

test('track_interface with weight 0 (and the own interface) down → FAULT; up → BACKUP', () => {
  const m = new VrrpMachine(spec({ trackInterfaces: [{ name: 'eth2', weight: 0 }] }), ME);
  run(m, [
    [startup, 0, undefined],
    [masterDown, DOWN, undefined],
    [
      { kind: 'interface', name: 'eth2', up: false },
      5000,
      [
        { do: 'cancel', timer: 'garp' },
        { do: 'cancel', timer: 'advert' },
        { do: 'send', priority: 0 },
        { do: 'removeVips' },
        { do: 'state', from: 'MASTER', to: 'FAULT', reason: 'interface eth2 down' },
        { do: 'notify', state: 'FAULT' },
      ],
    ],
    [from(PEER_LOW, advert(50)), 5500, []],
    [
      { kind: 'interface', name: 'eth2', up: true },
      6000,
      [
        { do: 'arm', timer: 'masterDown', ms: DOWN },
        { do: 'state', from: 'FAULT', to: 'BACKUP', reason: 'interface eth2 up' },
        { do: 'notify', state: 'BACKUP' },
      ],
    ],
    [
      { kind: 'interface', name: 'eth1', up: false },
      7000,
      [
        { do: 'cancel', timer: 'masterDown' },
        { do: 'state', from: 'BACKUP', to: 'FAULT', reason: 'interface eth1 down' },
        { do: 'notify', state: 'FAULT' },
      ],
    ],
  ]);
});

test('track_interface with a weight lowers the priority instead of FAULT', () => {
  const m = new VrrpMachine(spec({ trackInterfaces: [{ name: 'eth2', weight: -60 }] }), ME);
  m.step(startup, 0);
  assert.deepEqual(m.step({ kind: 'interface', name: 'eth2', up: false }, 10), []);
  assert.equal(m.priority, 40);
  assert.equal(m.state, 'BACKUP');
});

test('startup with the interface down goes to FAULT', () => {
  const m = new VrrpMachine(spec(), ME);
  m.step({ kind: 'interface', name: 'eth1', up: false }, 0);
  assert.deepEqual(m.step(startup, 0), [
    { do: 'state', from: 'INIT', to: 'FAULT', reason: 'startup with a fault' },
    { do: 'notify', state: 'FAULT' },
  ]);
});
