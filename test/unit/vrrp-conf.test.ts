// The VRRP parts of keepalived.conf as keepalived 2.2 reads them: every keyword of the
// course's pair of directors, keepalived's defaults, and errors that name file:line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIpv4 } from '../../src/packet/addr.js';
import { ConfigError, parseVrrpText } from '../../src/vrrp/vrrp-conf.js';

const FULL = `
global_defs {
  router_id LVS_A
  vrrp_version 2
  vrrp_garp_master_delay 2
  lvs_sync_daemon eth2 VI_SERVERS id 7 maxlen 1400 port 8849 ttl 2 group 239.1.1.1
}
vrrp_script chk_uvsd {
  script "/bin/pidof node"
  interval 2
  weight -30
  fall 2
  rise 3
}
vrrp_sync_group LVS {
  group {
    VI_CLIENT
    VI_SERVERS
  }
  notify_master "/etc/lvs/master.sh"
}
vrrp_instance VI_CLIENT {
  state MASTER
  interface eth1
  virtual_router_id 51
  priority 150
  advert_int 1
  preempt_delay 10
  authentication {
    auth_type PASS
    auth_pass s3cret
  }
  virtual_ipaddress {
    192.168.10.23/24 dev eth1 label eth1:0
  }
  track_interface {
    eth2
    eth3 weight -20
  }
  track_script {
    chk_uvsd
  }
  notify "/etc/lvs/notify.sh"
  smtp_alert
}
vrrp_instance VI_SERVERS {
  state BACKUP
  interface eth2
  virtual_router_id 52
  nopreempt
  unicast_src_ip 192.168.20.253
  unicast_peer {
    192.168.20.252
  }
  virtual_ipaddress {
    192.168.20.254/24
  }
}
`;

test('the course pair: instances, scripts, sync group and lvs_sync_daemon with every option', () => {
  const c = parseVrrpText(FULL, 'ha.conf');
  const [client, servers] = c.instances;
  assert.deepEqual(client, {
    name: 'VI_CLIENT',
    interface: 'eth1',
    vrid: 51,
    priority: 150,
    advertIntMs: 1000,
    version: 2,
    preempt: true,
    preemptDelayMs: 10_000,
    vips: [
      { addr: parseIpv4('192.168.10.23'), prefixLen: 24, dev: 'eth1', text: '192.168.10.23/24' },
    ],
    unicastPeers: [],
    trackInterfaces: [
      { name: 'eth2', weight: 0 },
      { name: 'eth3', weight: -20 },
    ],
    trackScripts: [{ name: 'chk_uvsd', weight: -30 }],
    garpMasterDelayMs: 2000,
    garpMasterRepeat: 5,
    garpMasterRefreshMs: 0,
    authPass: 's3cret',
    notify: '/etc/lvs/notify.sh',
  });
  assert.deepEqual(
    [servers!.priority, servers!.preempt, servers!.unicastSrc, servers!.unicastPeers],
    [100, false, parseIpv4('192.168.20.253'), [parseIpv4('192.168.20.252')]],
  );
  assert.deepEqual(c.scripts, [
    {
      name: 'chk_uvsd',
      script: '/bin/pidof node',
      intervalMs: 2000,
      timeoutMs: 2000,
      weight: -30,
      fall: 2,
      rise: 3,
    },
  ]);
  assert.deepEqual(c.syncGroups, [
    { name: 'LVS', members: ['VI_CLIENT', 'VI_SERVERS'], notifyMaster: '/etc/lvs/master.sh' },
  ]);
  assert.deepEqual(c.lvsSyncDaemon, {
    interface: 'eth2',
    instance: 'VI_SERVERS',
    syncId: 7,
    maxlen: 1400,
    port: 8849,
    ttl: 2,
    group: parseIpv4('239.1.1.1'),
  });
  assert.deepEqual(c.warnings, ['ha.conf:44: smtp_alert has no effect in uvs; ignored']);
});

test('version 3 from global_defs: fractional advert_int in centiseconds', () => {
  const c = parseVrrpText(
    'global_defs {\n vrrp_version 3\n}\nvrrp_instance V {\n interface eth0\n virtual_router_id 9\n advert_int 0.5\n virtual_ipaddress {\n  10.0.0.9\n }\n}\n',
  );
  assert.deepEqual([c.instances[0]!.version, c.instances[0]!.advertIntMs], [3, 500]);
  assert.equal(c.instances[0]!.vips[0]!.prefixLen, 32);
});

test('broken VRRP configurations name file:line and the problem', () => {
  const inst = (body: string, head = ''): string =>
    `${head}vrrp_instance V {\n interface eth0\n virtual_router_id 9\n virtual_ipaddress {\n  10.0.0.9\n }\n${body}}\n`;
  const rows: [string, string][] = [
    [inst(' priority 256\n'), 'c.conf:7: priority: "256" is not a whole number from 1 to 255'],
    [
      inst(' advert_int 1.5\n'),
      'c.conf:7: advert_int: VRRP version 2 needs whole seconds from 1 to 255',
    ],
    [inst(' track_script {\n  nope\n }\n'), 'c.conf:7: track_script: no vrrp_script named "nope"'],
    [
      inst(' authentication {\n  auth_type AH\n  auth_pass x\n }\n'),
      'c.conf:7: auth_type AH is not supported by uvs (use PASS, or none)',
    ],
    [
      'vrrp_instance V {\n interface eth0\n virtual_router_id 9\n}\n',
      'c.conf:1: vrrp_instance V has no virtual_ipaddress',
    ],
    [
      inst('', 'vrrp_sync_group G {\n group {\n  V\n  W\n }\n}\n'),
      'c.conf:1: vrrp_sync_group G: no vrrp_instance named "W"',
    ],
    [
      inst('', 'global_defs {\n lvs_sync_daemon eth0 V weight 3\n}\n'),
      'c.conf:2: lvs_sync_daemon: unknown option "weight" (id, maxlen, port, ttl, group)',
    ],
    [
      inst('') + inst('').replace('vrrp_instance V', 'vrrp_instance W'),
      "c.conf:8: vrrp_instance W: virtual_router_id 9 on eth0 is already V's",
    ],
    [
      inst(' virtual_ipaddress {\n  10.0.0.300/24\n }\n'),
      'c.conf:8: virtual_ipaddress: "10.0.0.300/24" is not an IPv4 address',
    ],
  ];
  for (const [text, msg] of rows) {
    assert.throws(
      () => parseVrrpText(text, 'c.conf'),
      (e: unknown) => e instanceof ConfigError && e.message === msg,
      msg,
    );
  }
});
