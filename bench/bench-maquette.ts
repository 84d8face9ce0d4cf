// The benchmark's one topology, as a maquette that src/lab's Lab builds. Every path runs on
// it, so paths differ only by what forwards between the client and the servers:
//
//   client 10.1.0.1 ── lanC ── router ── lanS 10.2.0.0/24 ─┬─ director .253 (+ the VIPs)
//                         .254      .254                  ├─ s1 .1 ─┐
//                                                         └─ s2 .2 ─┤
//                              lanN 10.3.0.0/24: director .254, s1 .1, s2 .2
//
// - routing: client → router → s1 (10.2.0.1); no balancer, the ceiling.
// - NAT paths (uvs-nat, kernel-nat, haproxy): the client → router → VIP_NAT on the director,
//   which reaches the servers on lanN; a server answers from its lanN address, and a policy
//   rule sends what leaves from lanN back through the director (the NAT maquette's gateway).
// - uvs-dr / uvs-tun: VIP_DR / VIP_TUN on the director and on the servers' lo (arp_ignore=1,
//   arp_announce=2); the director forwards to the servers' lanS address (by MAC, or in IPIP
//   that uvs-tun-endpoint opens), and the servers answer from the VIP through the router.
import type { HostSpec, Maquette, SetupStep } from '../src/lab/maquette.js';

export const CLIENT_ADDR = '10.1.0.1';
export const VIP_NAT = '10.2.0.100';
export const VIP_DR = '10.2.0.101';
export const VIP_TUN = '10.2.0.102';
export const ROUTER_LANS = '10.2.0.254';
/** A server's address on lanS (routing, DR, TUN) and on lanN (NAT, HAProxy's backends). */
export const serverAddr = (n: 1 | 2): string => `10.2.0.${n}`;
export const serverNatAddr = (n: 1 | 2): string => `10.3.0.${n}`;
export const SERVERS = [1, 2] as const;

/** Ports every server listens on: HTTP (nginx), TCP echo (latency), UDP counted by nftables. */
export const HTTP_PORT = 80;
export const ECHO_PORT = 7;
export const UDP_PORT = 5001;

/** Where the servers' UDP datagrams are counted: a named counter in their input hook. */
export const UDP_COUNTER = { family: 'inet', table: 'uvsbench', name: 'udp_rx' } as const;

const NAT_TABLE = '100';

function serverSetup(): SetupStep[] {
  return [
    // What leaves from the lanN address goes back through the director, as NAT needs.
    { argv: ['ip', 'rule', 'add', 'from', '10.3.0.0/24', 'lookup', NAT_TABLE] },
    { argv: ['ip', 'route', 'add', '10.3.0.0/24', 'dev', 'eth1', 'table', NAT_TABLE] },
    { argv: ['ip', 'route', 'add', 'default', 'via', '10.3.0.254', 'table', NAT_TABLE] },
    // DR and TUN: the VIPs on lo, never announced nor answered for by ARP.
    ...[VIP_DR, VIP_TUN].map((vip) => ({ argv: ['ip', 'addr', 'add', `${vip}/32`, 'dev', 'lo'] })),
    ...['all', 'eth0', 'eth1'].flatMap((i) => [
      { argv: ['sysctl', '-qw', `net.ipv4.conf.${i}.arp_ignore=1`] },
      { argv: ['sysctl', '-qw', `net.ipv4.conf.${i}.arp_announce=2`] },
    ]),
    // uvs-tun-endpoint hands decapsulated packets in through its own veth: no reverse-path drop.
    { argv: ['sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0'] },
    {
      argv: ['nft', '-f', '-'],
      input: [
        `table ${UDP_COUNTER.family} ${UDP_COUNTER.table} {`,
        `  counter ${UDP_COUNTER.name} {}`,
        '  chain in {',
        '    type filter hook input priority 0; policy accept;',
        `    udp dport ${UDP_PORT} counter name ${UDP_COUNTER.name} drop`,
        '  }',
        '}',
        '',
      ].join('\n'),
    },
  ];
}

const server = (n: 1 | 2): HostSpec => ({
  name: `s${n}`,
  role: 'server',
  ifaces: [
    { ifName: 'eth0', lan: 'lanS', addrs: [`${serverAddr(n)}/24`] },
    { ifName: 'eth1', lan: 'lanN', addrs: [`${serverNatAddr(n)}/24`] },
  ],
  gateway: ROUTER_LANS,
  setup: serverSetup(),
});

export const BENCH_MAQUETTE: Maquette = {
  name: 'bench',
  description: 'client → router → director and S1/S2 (lanS), director ↔ S1/S2 NAT side (lanN)',
  lans: ['lanC', 'lanS', 'lanN'],
  vip: VIP_NAT,
  hosts: [
    {
      name: 'client',
      role: 'client',
      ifaces: [{ ifName: 'eth0', lan: 'lanC', addrs: [`${CLIENT_ADDR}/24`] }],
      gateway: '10.1.0.254',
      // new-conn-rps opens tens of thousands of connections.
      setup: [{ argv: ['sysctl', '-qw', 'net.ipv4.ip_local_port_range=1024 65535'] }],
    },
    {
      name: 'router',
      role: 'client',
      ifaces: [
        { ifName: 'eth0', lan: 'lanC', addrs: ['10.1.0.254/24'] },
        { ifName: 'eth1', lan: 'lanS', addrs: [`${ROUTER_LANS}/24`] },
      ],
      forwarding: true,
    },
    {
      name: 'director',
      role: 'director',
      ifaces: [
        {
          ifName: 'eth0',
          lan: 'lanS',
          addrs: ['10.2.0.253/24', ...[VIP_NAT, VIP_DR, VIP_TUN].map((v) => `${v}/32`)],
        },
        { ifName: 'eth1', lan: 'lanN', addrs: ['10.3.0.254/24'] },
      ],
      gateway: ROUTER_LANS,
      forwarding: true,
    },
    server(1),
    server(2),
  ],
  commands: [],
};

/** Every host of the maquette (for offload profiles and clean-up). */
export const BENCH_HOSTS = BENCH_MAQUETTE.hosts.map((h) => h.name);
