// The VRRP runtime's configuration made from what the keepalived.conf reader read: every
// keyword the runtime uses, keepalived's defaults as the reader resolved them, and a warning
// naming file:line for what uvs's VRRP leaves out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseKeepalivedText } from '../../src/keepalived/config.js';
import { haKeepalivedConf } from '../../src/lab/maquette-ha.js';
import { parseIpv4 } from '../../src/packet/addr.js';
import { parseIpv6Big } from '../../src/vrrp/vrrp-addr.js';
import { vrrpFromKeepalived } from '../../src/vrrp/from-keepalived.js';

const FULL = `
global_defs {
  router_id LVS_A
  vrrp_garp_master_delay 2
  lvs_sync_daemon eth2 VI_SERVERS id 7 maxlen 1400 port 8849 ttl 2 group 239.1.1.1
}
vrrp_script chk_uvsd {
  script "/bin/pidof node"
  interval 2
  weight -30
  fall 2
  rise 3
  init_fail
}
vrrp_sync_group LVS {
  group {
    VI_CLIENT
    VI_SERVERS
  }
  notify_master "/etc/lvs/master.sh"
}
vrrp_instance VI_CLIENT {
  state BACKUP
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
}
vrrp_instance VI_SERVERS {
  state BACKUP
  interface eth2
  virtual_router_id 52
  priority 100
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

test('the course pair read by the keepalived.conf reader becomes the runtime configuration', () => {
  const { config, warnings } = vrrpFromKeepalived(parseKeepalivedText(FULL, 'ha.conf'));
  assert.deepEqual(warnings, []);
  const [client, servers] = config.instances;
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
    authPass: 's3cret',
    unicastPeers: [],
    trackInterfaces: [
      { name: 'eth2', weight: 0 },
      { name: 'eth3', weight: -20 },
    ],
    trackScripts: [{ name: 'chk_uvsd', weight: -30 }],
    garpMasterDelayMs: 2000,
    garpMasterRepeat: 5,
    garpMasterRefreshMs: 0,
    notify: '/etc/lvs/notify.sh',
  });
  assert.deepEqual(
    [servers!.preempt, servers!.unicastSrc, servers!.unicastPeers],
    [false, parseIpv4('192.168.20.253'), [parseIpv4('192.168.20.252')]],
  );
  assert.deepEqual(config.scripts, [
    {
      name: 'chk_uvsd',
      script: '/bin/pidof node',
      intervalMs: 2000,
      timeoutMs: 2000,
      weight: -30,
      fall: 2,
      rise: 3,
      initFail: true,
    },
  ]);
  assert.deepEqual(config.syncGroups, [
    { name: 'LVS', members: ['VI_CLIENT', 'VI_SERVERS'], notifyMaster: '/etc/lvs/master.sh' },
  ]);
  assert.deepEqual(config.lvsSyncDaemon, {
    interface: 'eth2',
    instance: 'VI_SERVERS',
    syncId: 7,
    maxlen: 1400,
    port: 8849,
    ttl: 2,
    group: parseIpv4('239.1.1.1'),
  });
});

test("the lab's pair of directors: lvs_sync_daemon's syncid defaults to the instance's VRID", () => {
  const { config, warnings } = vrrpFromKeepalived(
    parseKeepalivedText(haKeepalivedConf({ priority: 150, version: 3 }), 'lab.conf'),
  );
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    config.instances.map((i) => [i.name, i.vrid, i.version, i.vips.map((v) => v.text)]),
    [
      ['VI_CLIENT', 51, 3, ['192.168.10.23/24']],
      ['VI_SERVERS', 52, 3, ['192.168.20.254/24']],
    ],
  );
  assert.equal(config.lvsSyncDaemon?.syncId, 51);
});

test('what uvs VRRP leaves out is a warning naming its place', () => {
  const text = `
vrrp_instance V6 {
  interface eth0
  version 2
  virtual_router_id 9
  virtual_ipaddress {
    2001:db8::9/64
  }
}
vrrp_instance V4 {
  interface eth0
  virtual_router_id 10
  track_interface {
    eth1 weight 10 reverse
  }
  virtual_ipaddress {
    10.0.0.9/24
  }
}
`;
  const { config, warnings } = vrrpFromKeepalived(parseKeepalivedText(text, 'c.conf'));
  assert.deepEqual(
    config.instances.map((i) => i.name),
    ['V4'],
  );
  assert.deepEqual(warnings, [
    'c.conf:2: vrrp_instance V6: (V6) cannot use IPv6 with VRRP version 2; the instance does not run',
    'c.conf:10: vrrp_instance V4: "reverse" weights are not supported by uvs; eth1\'s is taken as is',
  ]);
});

test('an IPv6 vrrp_instance runs VRRP version 3 with its addresses as keepalived 2.2 reads them', () => {
  const text = `
global_defs {
  vrrp_version 2
}
vrrp_instance VI_6 {
  interface eth1
  virtual_router_id 60
  priority 150
  advert_int 0.5
  virtual_ipaddress {
    fe80::60/64
    2001:db8:10::23/64 dev eth1
    10.0.0.9/24
  }
  version 2
}
vrrp_instance VI_6U {
  interface eth2
  virtual_router_id 61
  native_ipv6
  unicast_src_ip 2001:db8:20::1
  unicast_peer {
    2001:db8:20::2
  }
  virtual_ipaddress {
    2001:db8:20::254/64
  }
}
`;
  const read = parseKeepalivedText(text, 'k.conf');
  const { config, warnings } = vrrpFromKeepalived(read);
  assert.deepEqual(warnings, []);
  const [mc, uc] = config.instances;
  assert.deepEqual(
    [mc!.family, mc!.version, mc!.advertIntMs, mc!.mcastGroup, mc!.unicastSrc],
    [6, 3, 500, undefined, undefined],
  );
  assert.deepEqual(mc!.vips, [
    { addr: parseIpv6Big('fe80::60'), prefixLen: 64, text: 'fe80::60/64' },
    {
      addr: parseIpv6Big('2001:db8:10::23'),
      prefixLen: 64,
      dev: 'eth1',
      text: '2001:db8:10::23/64',
    },
  ]);
  assert.deepEqual(
    [uc!.family, uc!.version, uc!.unicastSrc, uc!.unicastPeers],
    [6, 3, parseIpv6Big('2001:db8:20::1'), [parseIpv6Big('2001:db8:20::2')]],
  );
  // keepalived's own words: the IPv4 address is dropped, "version 2" after the addresses ignored.
  const said = read.warnings.filter((w) => !/interface eth\d/.test(w));
  assert.equal(said.length, 2, said.join('\n'));
  assert.match(said[0]!, /^k\.conf:13: .*10\.0\.0\.9.*address family must match/);
  assert.equal(
    said[1],
    'k.conf:15: (VI_6) vrrp_version 2 conflicts with configured or deduced version 0; ignoring.',
  );
});
