// Two IPv6 NAT directors side by side in front of S1 and S2, for the tests of what a pair does
// (connection sync, VRRP):
//
//   client 2001:db8:10::1 ── lan10 ──┬── director1 eth1 ::253 / eth2 2001:db8:20::253 ──┬── lan20 ── S1 ::1, S2 ::2
//                                    └── director2 eth1 ::252 / eth2 2001:db8:20::252 ──┘
import { PAGE_S1, PAGE_S2, type HostSpec, type Maquette } from '../../../src/lab/maquette.js';

export const VIP6 = '2001:db8:10::23';
/** The last group of each director's addresses on both LANs. */
export const DIRECTORS = { director1: 253, director2: 252 } as const;
export type Director = keyof typeof DIRECTORS;

export interface Pair6Options {
  readonly name: string;
  readonly description: string;
  /** The servers' IPv6 gateway (a director's address, or a VIP the pair moves). */
  readonly serverGateway: string;
  /** The directors' eth2 also gets 192.168.20.N/24 (the IPVS sync protocol runs over IPv4). */
  readonly ipv4OnServerLan?: boolean;
}

export function pair6Maquette(o: Pair6Options): Maquette {
  const director = (name: Director): HostSpec => {
    const n = DIRECTORS[name];
    return {
      name,
      role: 'director',
      ifaces: [
        { ifName: 'eth1', lan: 'lan10', addrs: [`2001:db8:10::${n}/64`] },
        {
          ifName: 'eth2',
          lan: 'lan20',
          addrs: [`2001:db8:20::${n}/64`, ...(o.ipv4OnServerLan ? [`192.168.20.${n}/24`] : [])],
        },
      ],
      setup: [{ argv: ['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1'] }],
    };
  };
  const server = (n: 1 | 2, page: string): HostSpec => ({
    name: `s${n}`,
    role: 'server',
    ifaces: [{ ifName: 'eth0', lan: 'lan20', addrs: [`2001:db8:20::${n}/64`] }],
    gateway: o.serverGateway,
    page,
    listen: '::',
  });
  return {
    name: o.name,
    description: o.description,
    lans: ['lan10', 'lan20'],
    vip: VIP6,
    hosts: [
      {
        name: 'client',
        role: 'client',
        ifaces: [{ ifName: 'eth0', lan: 'lan10', addrs: ['2001:db8:10::1/64'] }],
      },
      director('director1'),
      director('director2'),
      server(1, PAGE_S1),
      server(2, PAGE_S2),
    ],
    commands: [],
  };
}
