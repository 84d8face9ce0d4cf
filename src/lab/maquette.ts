// The course's maquettes as data: hosts, LANs, addresses, gateways, web pages, and the
// ipvsadm commands of the course (run with uvsadm). New maquettes are new tables.

export interface HostIface {
  readonly ifName: string;
  readonly lan: string;
  readonly addrs: readonly string[];
}

/** A command run in a host after the topology is built (nft rulesets come on stdin). */
export interface SetupStep {
  readonly argv: readonly string[];
  readonly input?: string;
}

export interface HostSpec {
  readonly name: string;
  readonly role: 'client' | 'director' | 'server';
  readonly ifaces: readonly HostIface[];
  readonly gateway?: string;
  readonly forwarding?: boolean;
  /** The page its web server serves on port 80. */
  readonly page?: string;
  /** The address that web server listens on: 0.0.0.0 by default, "::" for IPv6 maquettes. */
  readonly listen?: string;
  /** Host configuration beyond addresses and routes (e.g. a real server's DR solution). */
  readonly setup?: readonly SetupStep[];
  /** uvs programs kept running on the host (e.g. uvs-tun-endpoint), with their arguments. */
  readonly programs?: readonly {
    readonly program: 'uvs-tun-endpoint';
    readonly args: readonly string[];
  }[];
}

export interface Maquette {
  readonly name: string;
  readonly description: string;
  readonly lans: readonly string[];
  readonly hosts: readonly HostSpec[];
  readonly vip: string;
  /** The course's ipvsadm commands, as uvsadm argument lists. */
  readonly commands: readonly (readonly string[])[];
  /** A keepalived.conf that uvsd runs (-f) instead of the commands. */
  readonly keepalivedConf?: string;
}

export const PAGE_S1 = "Je suis le serveur 1 et j'ai faim";
export const PAGE_S2 = "Je suis le serveur 2 et j'ai soif";

/** « Maquette de test LVS-NAT »: client LAN 192.168.10.0/24, servers on 192.168.20.0/24. */
export const NAT_MAQUETTE: Maquette = {
  name: 'nat',
  description:
    'LVS-NAT: client on 192.168.10.0/24, VIP 192.168.10.23 on the director, S1/S2 on 192.168.20.0/24',
  lans: ['lan10', 'lan20'],
  vip: '192.168.10.23',
  hosts: [
    {
      name: 'client',
      role: 'client',
      ifaces: [{ ifName: 'eth0', lan: 'lan10', addrs: ['192.168.10.1/24'] }],
      gateway: '192.168.10.254',
    },
    {
      name: 'director',
      role: 'director',
      ifaces: [
        // The course adds the VIP as an alias (eth1:0) on the client-side interface.
        { ifName: 'eth1', lan: 'lan10', addrs: ['192.168.10.254/24', '192.168.10.23/24'] },
        { ifName: 'eth2', lan: 'lan20', addrs: ['192.168.20.254/24'] },
      ],
      forwarding: true,
    },
    {
      name: 's1',
      role: 'server',
      ifaces: [{ ifName: 'eth0', lan: 'lan20', addrs: ['192.168.20.1/24'] }],
      gateway: '192.168.20.254',
      page: PAGE_S1,
    },
    {
      name: 's2',
      role: 'server',
      ifaces: [{ ifName: 'eth0', lan: 'lan20', addrs: ['192.168.20.2/24'] }],
      gateway: '192.168.20.254',
      page: PAGE_S2,
    },
  ],
  commands: [
    ['-A', '-t', '192.168.10.23:80', '-s', 'rr'],
    ['-a', '-t', '192.168.10.23:80', '-r', '192.168.20.1:80', '-m', '-w', '1'],
    ['-a', '-t', '192.168.10.23:80', '-r', '192.168.20.2:80', '-m', '-w', '1'],
  ],
};

/** The course's three ways of keeping LVS-DR real servers from answering ARP for the VIP. */
export const RS_METHODS = ['sysctl', 'arptables', 'redirect'] as const;
export type RsMethod = (typeof RS_METHODS)[number];

const DR_VIP = '192.168.20.23';

/** A real server's DR solution as setup steps (`rip` is its own address). */
export function drRealServerSetup(method: RsMethod, rip: string, vip = DR_VIP): SetupStep[] {
  switch (method) {
    case 'sysctl':
      // VIP on lo; answer ARP only for addresses of the receiving interface (arp_ignore=1)
      // and announce with the best local address of the outgoing subnet (arp_announce=2).
      return [
        { argv: ['ip', 'addr', 'add', `${vip}/32`, 'dev', 'lo'] },
        ...['all', 'eth0'].flatMap((i) => [
          { argv: ['sysctl', '-qw', `net.ipv4.conf.${i}.arp_ignore=1`] },
          { argv: ['sysctl', '-qw', `net.ipv4.conf.${i}.arp_announce=2`] },
        ]),
      ];
    case 'arptables':
      // VIP on the interface; ARP filtered (nftables' arp family, what arptables-nft drives):
      // incoming requests for the VIP dropped, the VIP rewritten out of outgoing ARP.
      return [
        { argv: ['ip', 'addr', 'add', `${vip}/32`, 'dev', 'eth0'] },
        {
          argv: ['nft', '-f', '-'],
          input: [
            'table arp uvs_rs {',
            '  chain in {',
            '    type filter hook input priority 0; policy accept;',
            `    arp operation request arp daddr ip ${vip} drop`,
            '  }',
            '  chain out {',
            '    type filter hook output priority 0; policy accept;',
            `    arp saddr ip ${vip} arp saddr ip set ${rip}`,
            '  }',
            '}',
            '',
          ].join('\n'),
        },
      ];
    case 'redirect':
      // No VIP at all: netfilter rewrites what is sent to the VIP to the server's own address.
      return [
        {
          argv: ['nft', '-f', '-'],
          input: [
            'table ip uvs_rs {',
            '  chain pre {',
            '    type nat hook prerouting priority -100;',
            `    ip daddr ${vip} tcp dport 80 redirect`,
            '  }',
            '}',
            '',
          ].join('\n'),
        },
      ];
  }
}

/** The client behind the router, in the DR and TUN maquettes. */
const ROUTED_CLIENT: HostSpec = {
  name: 'client',
  role: 'client',
  ifaces: [{ ifName: 'eth0', lan: 'lan10', addrs: ['192.168.10.1/24'] }],
  gateway: '192.168.10.254',
};

/** The router between the client's LAN and `lans` (192.168.20.254 on lan20, .30.254 on lan30). */
function router(lans: readonly ('lan20' | 'lan30')[]): HostSpec {
  return {
    name: 'router',
    role: 'client',
    ifaces: [
      { ifName: 'eth0', lan: 'lan10', addrs: ['192.168.10.254/24'] },
      ...lans.map((lan, k) => ({
        ifName: `eth${k + 1}`,
        lan,
        addrs: [`192.168.${lan.slice(3)}.254/24`],
      })),
    ],
    forwarding: true,
  };
}

/** The director of the DR and TUN maquettes: 192.168.20.253 and the VIP as second address. */
const LAN20_DIRECTOR: HostSpec = {
  name: 'director',
  role: 'director',
  ifaces: [{ ifName: 'eth0', lan: 'lan20', addrs: ['192.168.20.253/24', `${DR_VIP}/24`] }],
  gateway: '192.168.20.254',
};

/** The course's commands for a service on the DR VIP with S1/S2 at `rip(n)` by `method`. */
function drVipCommands(rip: (n: number) => string, method: '-g' | '-i'): string[][] {
  return [
    ['-A', '-t', `${DR_VIP}:80`, '-s', 'rr'],
    ...[1, 2].map((n) => ['-a', '-t', `${DR_VIP}:80`, '-r', `${rip(n)}:80`, method, '-w', '1']),
  ];
}

/**
 * « Maquette de test LVS-DR »: the director and S1, S2 on one LAN (192.168.20.0/24), the VIP
 * 192.168.20.23 as the director's second address; the client reaches it through a router,
 * which is also the servers' default gateway, so replies go back without the director.
 */
export function drMaquette(method: RsMethod): Maquette {
  const server = (n: 1 | 2, page: string): HostSpec => ({
    name: `s${n}`,
    role: 'server',
    ifaces: [{ ifName: 'eth0', lan: 'lan20', addrs: [`192.168.20.${n}/24`] }],
    gateway: '192.168.20.254',
    page,
    setup: drRealServerSetup(method, `192.168.20.${n}`),
  });
  return {
    name: 'dr',
    description: `LVS-DR: director and S1/S2 on 192.168.20.0/24, VIP ${DR_VIP}, real servers by ${method}; client behind a router`,
    lans: ['lan10', 'lan20'],
    vip: DR_VIP,
    hosts: [
      ROUTED_CLIENT,
      router(['lan20']),
      LAN20_DIRECTOR,
      server(1, PAGE_S1),
      server(2, PAGE_S2),
    ],
    commands: drVipCommands((n) => `192.168.20.${n}`, '-g'),
  };
}

/**
 * LVS-TUN: the real servers on a routed, different subnet (192.168.30.0/24) behind a router;
 * the director (VIP 192.168.20.23) reaches them through IPIP; they answer the client directly
 * from the VIP, held on lo, with uvs-tun-endpoint decapsulating (no ipip module here).
 */
export const TUN_MAQUETTE: Maquette = (() => {
  const server = (n: 1 | 2, page: string): HostSpec => ({
    name: `s${n}`,
    role: 'server',
    ifaces: [{ ifName: 'eth0', lan: 'lan30', addrs: [`192.168.30.${n}/24`] }],
    gateway: '192.168.30.254',
    page,
    setup: [{ argv: ['ip', 'addr', 'add', `${DR_VIP}/32`, 'dev', 'lo'] }],
    programs: [{ program: 'uvs-tun-endpoint', args: ['--vip', DR_VIP] }],
  });
  return {
    name: 'tun',
    description: `LVS-TUN: director on 192.168.20.0/24 with VIP ${DR_VIP}, S1/S2 on the routed 192.168.30.0/24 behind IPIP`,
    lans: ['lan10', 'lan20', 'lan30'],
    vip: DR_VIP,
    hosts: [
      ROUTED_CLIENT,
      router(['lan20', 'lan30']),
      LAN20_DIRECTOR,
      server(1, PAGE_S1),
      server(2, PAGE_S2),
    ],
    commands: drVipCommands((n) => `192.168.30.${n}`, '-i'),
  };
})();

export const PAGE_SORRY = 'Service interrompu pour cause de charge trop élevée';

/**
 * The NAT maquette migrated to keepalived (« Migrer une des maquettes existantes vers
 * keepalived »): the same hosts plus a sorry server S3 (192.168.20.3); uvsd runs a
 * keepalived.conf instead of the course's ipvsadm commands.
 */
export const KEEPALIVED_MAQUETTE: Maquette = {
  ...NAT_MAQUETTE,
  name: 'keepalived',
  description: 'LVS-NAT from a keepalived.conf: checkers on S1/S2, sorry server S3 on 192.168.20.3',
  hosts: [
    ...NAT_MAQUETTE.hosts,
    {
      name: 's3',
      role: 'server',
      ifaces: [{ ifName: 'eth0', lan: 'lan20', addrs: ['192.168.20.3/24'] }],
      gateway: '192.168.20.254',
      page: PAGE_SORRY,
    },
  ],
  commands: [],
  // The course's exercise: the NAT maquette under keepalived, server fault tolerance with
  // two checkers, and a sorry server.
  keepalivedConf: `! uvs-lab keepalived: the course's NAT maquette under keepalived
global_defs {
    router_id UVS_LAB
}

virtual_server 192.168.10.23 80 {
    delay_loop 2
    lb_algo rr
    lb_kind NAT
    protocol TCP
    quorum 1
    sorry_server 192.168.20.3 80

    real_server 192.168.20.1 80 {
        weight 1
        HTTP_GET {
            url {
                path /
                status_code 200
            }
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
    real_server 192.168.20.2 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
}
`,
};
