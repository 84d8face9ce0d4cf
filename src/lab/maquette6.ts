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
): HostSpec => ({
  name: `s${n}`,
  role: 'server',
  ifaces: [{ ifName: 'eth0', lan: 'lan20', addrs: [`2001:db8:20::${n}/64`] }],
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
    {
      name: 'client',
      role: 'client',
      ifaces: [{ ifName: 'eth0', lan: 'lan10', addrs: ['2001:db8:10::1/64'] }],
      gateway: '2001:db8:10::254',
    },
    {
      name: 'router',
      role: 'client',
      ifaces: [
        { ifName: 'eth0', lan: 'lan10', addrs: ['2001:db8:10::254/64'] },
        { ifName: 'eth1', lan: 'lan20', addrs: ['2001:db8:20::254/64'] },
      ],
      setup: [FORWARDING],
    },
    {
      name: 'director',
      role: 'director',
      ifaces: [{ ifName: 'eth0', lan: 'lan20', addrs: ['2001:db8:20::253/64'] }],
      gateway: '2001:db8:20::254',
      setup: [vipOn('eth0', DR6_VIP)],
    },
    ...([1, 2] as const).map((n) =>
      server(n, n === 1 ? PAGE_S1 : PAGE_S2, '2001:db8:20::254', [
        { argv: ['ip', 'addr', 'add', `${DR6_VIP}/128`, 'dev', 'lo'] },
      ]),
    ),
  ],
  commands: DR6_COMMANDS,
};
