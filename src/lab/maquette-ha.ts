// The course's pair of directors (« tolérance de panne du directeur »): the NAT maquette with
// two directors, each running uvsd -f with VRRP. The VIP 192.168.10.23 on the client side
// and the servers' gateway 192.168.20.254 float together (one vrrp_sync_group); the master
// syncs its connections to the backup (lvs_sync_daemon on the servers' side).
//
//   client 192.168.10.1 ── lan10 ──┬── eth1 [director1 .253, priority 150] eth2 ──┬── lan20 ── S1 192.168.20.1
//            (VIP 192.168.10.23)   └── eth1 [director2 .252, priority 100] eth2 ──┘          S2 192.168.20.2
//                                        (gateway 192.168.20.254 for S1, S2)
import { PAGE_S1, PAGE_S2, type HostSpec, type Maquette } from './maquette.js';

export const HA_VIP = '192.168.10.23';
export const HA_GATEWAY = '192.168.20.254';
export const HA_DIRECTORS = ['director1', 'director2'] as const;
export type HaDirector = (typeof HA_DIRECTORS)[number];

const director = (name: HaDirector, n: number): HostSpec => ({
  name,
  role: 'director',
  ifaces: [
    { ifName: 'eth1', lan: 'lan10', addrs: [`192.168.10.${n}/24`] },
    { ifName: 'eth2', lan: 'lan20', addrs: [`192.168.20.${n}/24`] },
  ],
  forwarding: true,
});

const server = (n: 1 | 2, page: string): HostSpec => ({
  name: `s${n}`,
  role: 'server',
  ifaces: [{ ifName: 'eth0', lan: 'lan20', addrs: [`192.168.20.${n}/24`] }],
  gateway: HA_GATEWAY,
  page,
});

export const HA_MAQUETTE: Maquette = {
  name: 'ha',
  description: `LVS-NAT with two directors under VRRP: VIP ${HA_VIP} and gateway ${HA_GATEWAY} in one sync group, connections synced`,
  lans: ['lan10', 'lan20'],
  vip: HA_VIP,
  hosts: [
    {
      name: 'client',
      role: 'client',
      ifaces: [{ ifName: 'eth0', lan: 'lan10', addrs: ['192.168.10.1/24'] }],
    },
    director('director1', 253),
    director('director2', 252),
    server(1, PAGE_S1),
    server(2, PAGE_S2),
  ],
  commands: [],
};

export interface HaConfOptions {
  readonly priority: number;
  readonly advertInt?: number;
  /** nopreempt on both instances (keepalived wants state BACKUP with it). */
  readonly nopreempt?: boolean;
  /** VRRP version (global_defs vrrp_version). */
  readonly version?: 2 | 3;
  /** Leave out the virtual server (VRRP only). */
  readonly vrrpOnly?: boolean;
}

/** One director's keepalived.conf: the sync group, its two instances, the virtual server. */
export function haKeepalivedConf(o: HaConfOptions): string {
  const adv = o.advertInt ?? 1;
  const state = o.nopreempt || o.priority < 150 ? 'BACKUP' : 'MASTER';
  const instance = (name: string, ifName: string, vrid: number, vip: string): string => `
vrrp_instance ${name} {
    state ${state}
    interface ${ifName}
    virtual_router_id ${vrid}
    priority ${o.priority}
    advert_int ${adv}
${o.nopreempt ? '    nopreempt\n' : ''}    virtual_ipaddress {
        ${vip}/24
    }
}
`;
  const vs = `
virtual_server ${HA_VIP} 80 {
    delay_loop 2
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 192.168.20.1 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server 192.168.20.2 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
`;
  return `! uvs-lab ha: one of the course's pair of directors (priority ${o.priority})
global_defs {
    router_id UVS_LAB_HA_${o.priority}
    vrrp_version ${o.version ?? 2}
${o.vrrpOnly ? '' : '    lvs_sync_daemon eth2 VI_SERVERS id 51\n'}}

vrrp_sync_group LVS_PAIR {
    group {
        VI_CLIENT
        VI_SERVERS
    }
}
${instance('VI_CLIENT', 'eth1', 51, HA_VIP)}${instance('VI_SERVERS', 'eth2', 52, HA_GATEWAY)}${o.vrrpOnly ? '' : vs}`;
}
