// VRRP and sync configuration read into the model the VRRP runtime consumes: what a full
// configuration reads as, the defaults keepalived derives, and bad or dubious input with its
// exact file:line message (errors refuse the file, warnings are what keepalived -t flags).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseKeepalivedText } from '../../src/keepalived/config.js';

const FULL = `global_defs {
  router_id DIR1
  vrrp_version 3
  vrrp_garp_master_delay 2
  vrrp_garp_master_repeat 3
  vrrp_garp_interval 0.001
  lvs_sync_daemon eth1 VI_EXT id 7 maxlen 1400 port 8849 ttl 2 group 224.0.0.82
  enable_script_security
  script_user keepalived_script
}
vrrp_script chk_web {
  script "/usr/bin/curl -fs http://127.0.0.1/"
  interval 2
  timeout 3
  weight -20
  fall 2
  rise 3
  init_fail
}
vrrp_instance VI_EXT {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 0.5
  virtual_ipaddress {
    192.168.10.23/24 dev eth0 brd + label eth0:vip
    192.168.10.24
  }
  virtual_ipaddress_excluded {
    192.168.10.99
  }
  track_interface {
    eth1 weight -10
    eth2
  }
  track_script {
    chk_web weight -30 reverse
  }
  notify_master "/etc/uvs/master.sh EXT" root
  notify "/etc/uvs/any.sh"
  garp_master_refresh 60
  unicast_src_ip 192.168.10.2
  unicast_peer {
    192.168.10.3 min_ttl 250
  }
}
vrrp_instance VI_INT {
  interface eth1
  virtual_router_id 52
  nopreempt
  virtual_ipaddress {
    192.168.20.254/24
  }
  track_script {
    chk_web
  }
}
vrrp_sync_group DIRECTORS {
  group {
    VI_EXT VI_INT
  }
  notify_backup /etc/uvs/backup.sh
}
static_routes {
  10.0.0.0/8 via 192.168.20.1 dev eth1 metric 10
}
`;

test('a full VRRP configuration reads into the model the runtime consumes', () => {
  const c = parseKeepalivedText(FULL, 'k.conf');
  assert.deepEqual(c.warnings, []);
  const [ext, int] = c.vrrp.instances;
  assert.deepEqual(
    [ext!.initialState, ext!.interface, ext!.virtualRouterId, ext!.priority, ext!.version],
    ['MASTER', 'eth0', 51, 150, 3],
  );
  assert.equal(ext!.advertInterval, 0.5);
  assert.deepEqual(ext!.virtualIpAddresses[0], {
    where: { file: 'k.conf', line: 27 },
    ip: '192.168.10.23',
    family: 4,
    prefix: 24,
    dev: 'eth0',
    broadcast: '192.168.10.255',
    label: 'eth0:vip',
    noTrack: false,
    flags: [],
    useVmac: false,
  });
  assert.deepEqual(
    [ext!.virtualIpAddresses[1]!.prefix, ext!.excludedIpAddresses.map((a) => a.ip)],
    [32, ['192.168.10.99']],
  );
  assert.deepEqual(ext!.trackInterfaces, [
    { name: 'eth1', weight: -10, reverse: false },
    { name: 'eth2', weight: 0, reverse: false },
  ]);
  assert.deepEqual(ext!.trackScripts, [{ name: 'chk_web', weight: -30, reverse: true }]);
  assert.deepEqual(ext!.notify.master, {
    argv: ['/etc/uvs/master.sh', 'EXT'],
    text: '/etc/uvs/master.sh EXT',
    user: 'root',
  });
  assert.deepEqual(ext!.notify.any?.argv, ['/etc/uvs/any.sh']);
  assert.deepEqual(
    [ext!.garpMasterDelay, ext!.garpMasterRepeat, ext!.garpMasterRefresh],
    [2, 3, 60],
    'global garp settings, overridden per instance',
  );
  assert.deepEqual(
    [ext!.sourceIp, ext!.unicastPeers],
    ['192.168.10.2', [{ ip: '192.168.10.3', minTtl: 250 }]],
  );
  assert.equal(ext!.syncGroup, 'DIRECTORS');
  assert.deepEqual(
    [int!.initialState, int!.priority, int!.nopreempt, int!.preemptDelay, int!.mcastGroup],
    ['BACKUP', 100, true, 0, '224.0.0.18'],
  );
  assert.deepEqual(int!.trackScripts, [{ name: 'chk_web', weight: -20, reverse: false }]);
  const [script] = c.vrrp.scripts;
  assert.deepEqual(
    [
      script!.script.argv,
      script!.interval,
      script!.timeout,
      script!.weight,
      script!.fall,
      script!.rise,
      script!.initFail,
    ],
    [['/usr/bin/curl', '-fs', 'http://127.0.0.1/'], 2, 3, -20, 2, 3, true],
  );
  assert.deepEqual(
    c.vrrp.syncGroups.map((g) => [g.name, g.instances, g.notify.backup?.argv]),
    [['DIRECTORS', ['VI_EXT', 'VI_INT'], ['/etc/uvs/backup.sh']]],
  );
  assert.deepEqual(c.global.lvsSyncDaemon, {
    interface: 'eth1',
    instance: 'VI_EXT',
    syncId: 7,
    maxlen: 1400,
    port: 8849,
    ttl: 2,
    group: '224.0.0.82',
  });
  assert.deepEqual(
    [c.global.vrrpGarpInterval, c.global.enableScriptSecurity, c.global.scriptUser],
    [0.001, true, { user: 'keepalived_script' }],
  );
  assert.deepEqual(
    c.vrrp.staticRoutes.map((r) => [r.destination, r.via, r.dev, r.metric, r.noTrack]),
    [['10.0.0.0/8', '192.168.20.1', 'eth1', 10, false]],
  );
  assert.ok(
    Object.isFrozen(ext) && Object.isFrozen(ext!.virtualIpAddresses),
    'the model is frozen',
  );
});

/** An instance around `body` (interface eth0, VRID 1 and a VIP unless the body sets them). */
const instance = (body: string, head = 'interface eth0\n virtual_router_id 1\n'): string =>
  `vrrp_instance V {\n ${head} virtual_ipaddress {\n  10.0.0.1\n }\n${body}}\n`;

const derived: { name: string; text: string; expect: Record<string, unknown> }[] = [
  {
    name: 'state MASTER without priority is the address owner (255)',
    text: instance(' state MASTER\n'),
    expect: { priority: 255, initialState: 'MASTER' },
  },
  {
    name: 'priority 255 without state starts as MASTER',
    text: instance(' priority 255\n'),
    expect: { priority: 255, initialState: 'MASTER' },
  },
  {
    name: 'nothing set: BACKUP at 100, version 2, advert 1 s, 224.0.0.18',
    text: instance(''),
    expect: {
      priority: 100,
      initialState: 'BACKUP',
      version: 2,
      advertInterval: 1,
      mcastGroup: '224.0.0.18',
    },
  },
  {
    name: 'IPv6 addresses make a version 3 instance on ff02::12',
    text: 'vrrp_instance V {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  fe80::1/64\n  2001:db8::1/64\n }\n}\n',
    expect: { version: 3, family: 6, mcastGroup: 'ff02::12' },
  },
  {
    name: 'preempt_delay on a BACKUP',
    text: instance(' preempt_delay 2.5\n'),
    expect: { preemptDelay: 2.5, nopreempt: false },
  },
  {
    name: 'authentication PASS for version 2',
    text: instance(' authentication {\n  auth_type PASS\n  auth_pass secret\n }\n'),
    expect: { authentication: { type: 'PASS', password: 'secret' } },
  },
];

for (const d of derived) {
  test(`VRRP defaults: ${d.name}`, () => {
    const i = parseKeepalivedText(d.text).vrrp.instances[0]!;
    for (const [k, v] of Object.entries(d.expect)) assert.deepEqual(i[k as keyof typeof i], v, k);
  });
}

const errors: { name: string; text: string; message: string }[] = [
  {
    name: 'virtual_router_id out of range',
    text: 'vrrp_instance V {\n interface eth0\n virtual_router_id 256\n}\n',
    message: 'k.conf:3: virtual_router_id: "256" is not a whole number from 1 to 255',
  },
  {
    name: 'priority 0',
    text: instance(' priority 0\n'),
    message: 'k.conf:7: priority: "0" is not a whole number from 1 to 255',
  },
  {
    name: 'advert_int beyond 255 s',
    text: instance(' advert_int 300\n'),
    message: 'k.conf:7: advert_int: "300" is not from 0.01 to 255 seconds',
  },
  {
    name: 'an unknown state',
    text: instance(' state PRIMARY\n'),
    message: 'k.conf:7: unknown state "PRIMARY" (expected MASTER or BACKUP)',
  },
  {
    name: 'a bad virtual address',
    text: 'vrrp_instance V {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.300/24\n }\n}\n',
    message: 'k.conf:5: "10.0.0.300/24" is not an IPv4 address',
  },
  {
    name: 'no virtual_router_id',
    text: 'vrrp_instance V {\n interface eth0\n}\n',
    message: 'k.conf:1: (V) the virtual router id must be set',
  },
  {
    name: 'no interface',
    text: 'vrrp_instance V {\n virtual_router_id 1\n}\n',
    message: 'k.conf:1: (V) Unknown interface! (interface is required)',
  },
  {
    name: 'version 3 without any VIP',
    text: 'vrrp_instance V {\n interface eth0\n virtual_router_id 1\n version 3\n}\n',
    message: 'k.conf:1: (V) No VIP specified; at least one is required',
  },
  {
    name: 'two instances with one VRID on one link',
    text: instance('') + instance('').replace('vrrp_instance V', 'vrrp_instance W'),
    message: 'k.conf:8: V and W both use VRID 1 with IPv4 on interface eth0',
  },
  {
    name: 'a track_interface weight beyond 254',
    text: instance(' track_interface {\n  eth1 weight 300\n }\n'),
    message: 'k.conf:8: (V) weight "300" for track_interface eth1 is not from -254 to 254',
  },
  {
    name: 'lvs_sync_daemon with a unicast group',
    text: 'global_defs {\n lvs_sync_daemon eth0 V group 10.0.0.1\n}\n',
    message: 'k.conf:2: lvs_sync_daemon group 10.0.0.1 is not a multicast address',
  },
];

for (const e of errors) {
  test(`VRRP refuses ${e.name} with file:line`, () => {
    assert.throws(
      () => parseKeepalivedText(e.text, 'k.conf'),
      (err: unknown) => err instanceof ConfigError && err.message === e.message,
    );
  });
}

const warnings: { name: string; text: string; warnings: string[] }[] = [
  {
    name: 'a track_script naming no vrrp_script (keepalived ignores it)',
    text: instance(' track_script {\n  nothere\n }\n'),
    warnings: ['k.conf:8: (V) track script nothere not found, ignoring...'],
  },
  {
    name: 'a vrrp_script nobody tracks',
    text: 'vrrp_script s {\n script /bin/true\n}\n' + instance(''),
    warnings: ['k.conf:1: Warning - script s is not used'],
  },
  {
    name: 'a vrrp_script without script',
    text: 'vrrp_script s {\n interval 2\n}\n',
    warnings: ['k.conf:1: No script set for vrrp_script s - removing'],
  },
  {
    name: 'a sync group member that does not exist, and a group of one',
    text: instance('') + 'vrrp_sync_group G {\n group {\n  V\n  X\n }\n}\n',
    warnings: [
      "k.conf:8: Sync group G has only 1 virtual router(s) - this probably isn't what you want",
      "k.conf:11: Virtual router X specified in sync group G doesn't exist - ignoring",
    ],
  },
  {
    name: 'AH authentication with state MASTER below 255',
    text: instance(
      ' state MASTER\n priority 100\n authentication {\n  auth_type AH\n  auth_pass x\n }\n',
    ),
    warnings: [
      'k.conf:1: (V) Initial state master is incompatible with AH authentication - clearing',
    ],
  },
  {
    name: 'authentication with version 3',
    text: instance(' version 3\n authentication {\n  auth_type PASS\n  auth_pass x\n }\n'),
    warnings: ['k.conf:1: (V) VRRP version 3 does not support authentication. Ignoring.'],
  },
  {
    name: 'nopreempt on the address owner',
    text: instance(' priority 255\n nopreempt\n'),
    warnings: ['k.conf:1: (V) nopreempt is incompatible with priority 255. resetting nopreempt'],
  },
  {
    name: 'a fractional advert_int for version 2',
    text: instance(' advert_int 1.4\n'),
    warnings: [
      'k.conf:1: (V) VRRPv2 advertisement interval 1.4s must be a multiple of 1s - rounding',
    ],
  },
  {
    name: 'a VIP of the other family',
    text: 'vrrp_instance V {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n  2001:db8::1\n }\n}\n',
    warnings: [
      "k.conf:6: (V) virtual_ipaddress 2001:db8::1: address family must match the instance's - ignoring",
    ],
  },
  {
    name: 'an lvs_sync_daemon instance that does not exist',
    text: 'global_defs {\n lvs_sync_daemon eth0 NOPE\n}\n',
    warnings: [
      'k.conf:2: Unable to find vrrp instance NOPE for lvs_syncd - clearing lvs_syncd config',
    ],
  },
  {
    name: 'a route without an interface (not tracked)',
    text: instance(' virtual_routes {\n  10.1.0.0/16 via 10.0.0.254\n }\n'),
    warnings: [
      'k.conf:8: cannot track route 10.1.0.0/16 with no interface specified; not tracking',
    ],
  },
];

for (const w of warnings) {
  test(`VRRP warns, as keepalived -t does, about ${w.name}`, () => {
    assert.deepEqual(parseKeepalivedText(w.text, 'k.conf').warnings, w.warnings);
  });
}

test('lvs_sync_daemon without an id takes the VRID of its instance', () => {
  const c = parseKeepalivedText(`global_defs {\n lvs_sync_daemon eth1 V\n}\n${instance('')}`);
  assert.deepEqual(c.global.lvsSyncDaemon, { interface: 'eth1', instance: 'V', syncId: 1 });
});
