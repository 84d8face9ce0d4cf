// The course's NAT and DR maquettes in IPv6 (documentation prefix 2001:db8::/32), addressed as
// the IPv4 ones are (192.168.10.23 → 2001:db8:10::23, .254 → ::254), with the course's uvsadm
// commands in IPv6 syntax ([addr]:port).
import { PAGE_S1, PAGE_S2, type HostSpec, type Maquette, type SetupStep } from './maquette.js';

const FORWARDING: SetupStep = { argv: ['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1'] };

/**
 * The VIP as the director's second address, deprecated (preferred_lft 0) so that the kernel
 * never picks it as the source of the director's own connections (RFC 6724 rule 3): on the
 * servers' prefix it would otherwise win by longest match, and a DR server, holding the VIP
 * itself, would answer to itself.
 */
const vipOn = (ifName: string, vip: string): SetupStep => ({
  argv: ['ip', 'addr', 'add', `${vip}/64`, 'dev', ifName, 'nodad', 'preferred_lft', '0'],
});

const server = (
  n: 1 | 2,
  page: string,
  gateway: string,
  setup: readonly SetupStep[] = [],
  lan = 'lan20',
): HostSpec => ({
  name: `s${n}`,
  role: 'server',
  ifaces: [{ ifName: 'eth0', lan, addrs: [`2001:db8:${lan.slice(3)}::${n}/64`] }],
  gateway,
  page,
  listen: '::',
  setup,
});

const NAT6_VIP = '2001:db8:10::23';

/** The course's NAT commands in IPv6. */
export const NAT6_COMMANDS: readonly (readonly string[])[] = [
  ['-A', '-t', `[${NAT6_VIP}]:80`, '-s', 'rr'],
  ['-a', '-t', `[${NAT6_VIP}]:80`, '-r', '[2001:db8:20::1]:80', '-m', '-w', '1'],
  ['-a', '-t', `[${NAT6_VIP}]:80`, '-r', '[2001:db8:20::2]:80', '-m', '-w', '1'],
];

/** « Maquette de test LVS-NAT » in IPv6: client on 2001:db8:10::/64, servers on 2001:db8:20::/64. */
export const NAT6_MAQUETTE: Maquette = {
  name: 'nat6',
  description: `LVS-NAT in IPv6: client on 2001:db8:10::/64, VIP ${NAT6_VIP} on the director, S1/S2 on 2001:db8:20::/64`,
  lans: ['lan10', 'lan20'],
  vip: NAT6_VIP,
  hosts: [
    {
      name: 'client',
      role: 'client',
      ifaces: [{ ifName: 'eth0', lan: 'lan10', addrs: ['2001:db8:10::1/64'] }],
      gateway: '2001:db8:10::254',
    },
    {
      name: 'director',
      role: 'director',
      ifaces: [
        { ifName: 'eth1', lan: 'lan10', addrs: ['2001:db8:10::254/64'] },
        { ifName: 'eth2', lan: 'lan20', addrs: ['2001:db8:20::254/64'] },
      ],
      setup: [FORWARDING, vipOn('eth1', NAT6_VIP)],
    },
    server(1, PAGE_S1, '2001:db8:20::254'),
    server(2, PAGE_S2, '2001:db8:20::254'),
  ],
  commands: NAT6_COMMANDS,
};

const DR6_VIP = '2001:db8:20::23';

/** The client of DR and TUN, behind the router (2001:db8:10::254). */
const ROUTED_CLIENT6: HostSpec = {
  name: 'client',
  role: 'client',
  ifaces: [{ ifName: 'eth0', lan: 'lan10', addrs: ['2001:db8:10::1/64'] }],
  gateway: '2001:db8:10::254',
};

/** The router between the client's LAN and `lans` (its address ::254 on each). */
const router6 = (lans: readonly string[]): HostSpec => ({
  name: 'router',
  role: 'client',
  ifaces: ['lan10', ...lans].map((lan, k) => ({
    ifName: `eth${k}`,
    lan,
    addrs: [`2001:db8:${lan.slice(3)}::254/64`],
  })),
  setup: [FORWARDING],
});

/** The director of DR and TUN: 2001:db8:20::253 and the VIP on lan20. */
const LAN20_DIRECTOR6: HostSpec = {
  name: 'director',
  role: 'director',
  ifaces: [{ ifName: 'eth0', lan: 'lan20', addrs: ['2001:db8:20::253/64'] }],
  gateway: '2001:db8:20::254',
  setup: [vipOn('eth0', DR6_VIP)],
};

/** The course's DR commands in IPv6. */
export const DR6_COMMANDS: readonly (readonly string[])[] = [
  ['-A', '-t', `[${DR6_VIP}]:80`, '-s', 'rr'],
  ...[1, 2].map((n) => [
    '-a',
    '-t',
    `[${DR6_VIP}]:80`,
    '-r',
    `[2001:db8:20::${n}]:80`,
    '-g',
    '-w',
    '1',
  ]),
];

/**
 * « Maquette de test LVS-DR » in IPv6: the director and S1, S2 on 2001:db8:20::/64, the VIP
 * as the director's second address, the client behind a router. The real servers hold the
 * VIP on lo, which IPv6 never advertises on another interface (neighbour discovery answers
 * only for the receiving interface's addresses): no counterpart of the ARP problem, and of
 * the course's three solutions, here.
 */
export const DR6_MAQUETTE: Maquette = {
  name: 'dr6',
  description: `LVS-DR in IPv6: director and S1/S2 on 2001:db8:20::/64, VIP ${DR6_VIP} (on lo of S1/S2); client behind a router`,
  lans: ['lan10', 'lan20'],
  vip: DR6_VIP,
  hosts: [
    ROUTED_CLIENT6,
    router6(['lan20']),
    LAN20_DIRECTOR6,
    ...([1, 2] as const).map((n) =>
      server(n, n === 1 ? PAGE_S1 : PAGE_S2, '2001:db8:20::254', [
        { argv: ['ip', 'addr', 'add', `${DR6_VIP}/128`, 'dev', 'lo'] },
      ]),
    ),
  ],
  commands: DR6_COMMANDS,
};

/** LVS-TUN in IPv6: the course's DR commands with -i toward servers on a routed subnet. */
export const TUN6_COMMANDS: readonly (readonly string[])[] = [
  ['-A', '-t', `[${DR6_VIP}]:80`, '-s', 'rr'],
  ...[1, 2].map((n) => [
    '-a',
    '-t',
    `[${DR6_VIP}]:80`,
    '-r',
    `[2001:db8:30::${n}]:80`,
    '-i',
    '-w',
    '1',
  ]),
];

/**
 * A TUN maquette in IPv6: the DR one with the real servers moved to the routed 2001:db8:30::/64,
 * reached in IPv6-in-IPv6 (next header 41); uvs-tun-endpoint decapsulates on each (the VIP on
 * lo), standing for the kernel's ip6tnl.
 */
export const TUN6_MAQUETTE: Maquette = {
  name: 'tun6',
  description: `LVS-TUN in IPv6: director on 2001:db8:20::/64 with VIP ${DR6_VIP}, S1/S2 on the routed 2001:db8:30::/64 behind IPv6-in-IPv6`,
  lans: ['lan10', 'lan20', 'lan30'],
  vip: DR6_VIP,
  hosts: [
    ROUTED_CLIENT6,
    router6(['lan20', 'lan30']),
    LAN20_DIRECTOR6,
    ...([1, 2] as const).map((n) => ({
      ...server(
        n,
        n === 1 ? PAGE_S1 : PAGE_S2,
        '2001:db8:30::254',
        [{ argv: ['ip', 'addr', 'add', `${DR6_VIP}/128`, 'dev', 'lo'] }],
        'lan30',
      ),
      programs: [{ program: 'uvs-tun-endpoint' as const, args: ['--vip', DR6_VIP] }],
    })),
  ],
  commands: TUN6_COMMANDS,
};
