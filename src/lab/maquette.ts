// The course's maquettes as data: hosts, LANs, addresses, gateways, web pages, and the
// ipvsadm commands of the course (run with uvsadm). New maquettes are new tables.

export interface HostIface {
  readonly ifName: string;
  readonly lan: string;
  readonly addrs: readonly string[];
}

export interface HostSpec {
  readonly name: string;
  readonly role: 'client' | 'director' | 'server';
  readonly ifaces: readonly HostIface[];
  readonly gateway?: string;
  readonly forwarding?: boolean;
  /** The page its web server serves on port 80. */
  readonly page?: string;
}

export interface Maquette {
  readonly name: string;
  readonly description: string;
  readonly lans: readonly string[];
  readonly hosts: readonly HostSpec[];
  readonly vip: string;
  /** The course's ipvsadm commands, as uvsadm argument lists. */
  readonly commands: readonly (readonly string[])[];
}

export const PAGE_S1 = "Je suis le serveur 1 et j'ai faim";
export const PAGE_S2 = "Je suis le serveur 2 et j'ai soif";

/** « Maquette de test LVS-NAT »: client LAN 192.168.10.0/24, servers on 192.168.20.0/24. */
export const NAT_MAQUETTE: Maquette = {
  name: 'nat',
  description: 'LVS-NAT: client on 192.168.10.0/24, VIP 192.168.10.23 on the director, S1/S2 on 192.168.20.0/24',
  lans: ['lan10', 'lan20'],
  vip: '192.168.10.23',
  hosts: [
    { name: 'client', role: 'client', ifaces: [{ ifName: 'eth0', lan: 'lan10', addrs: ['192.168.10.1/24'] }], gateway: '192.168.10.254' },
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
    { name: 's1', role: 'server', ifaces: [{ ifName: 'eth0', lan: 'lan20', addrs: ['192.168.20.1/24'] }], gateway: '192.168.20.254', page: PAGE_S1 },
    { name: 's2', role: 'server', ifaces: [{ ifName: 'eth0', lan: 'lan20', addrs: ['192.168.20.2/24'] }], gateway: '192.168.20.254', page: PAGE_S2 },
  ],
  commands: [
    ['-A', '-t', '192.168.10.23:80', '-s', 'rr'],
    ['-a', '-t', '192.168.10.23:80', '-r', '192.168.20.1:80', '-m', '-w', '1'],
    ['-a', '-t', '192.168.10.23:80', '-r', '192.168.20.2:80', '-m', '-w', '1'],
  ],
};

export const MAQUETTES: Record<string, Maquette> = { nat: NAT_MAQUETTE };
