// uvs-lab's description: its --help and its man page uvs-lab(1).
import { MAQUETTES } from '../lab/maquette-registry.js';
import type { CommandDoc, OptionDoc } from './command-doc.js';

/** The options of the maquette commands (nat, dr, tun, keepalived). */
export const LAB_UP_OPTIONS: readonly OptionDoc[] = [
  {
    long: 'check',
    type: 'boolean',
    default: false,
    describe: 'then request the VIP from the client and show uvsadm -Lnc / -Ln',
  },
  { long: 'requests', arg: 'N', type: 'number', default: 6, describe: 'requests made by --check' },
  { long: 'rebuild', type: 'boolean', default: false, describe: 'remove a running maquette first' },
];

export const LAB_PREFIX_OPTION: OptionDoc = {
  long: 'prefix',
  arg: 'PREFIX',
  type: 'string',
  default: 'uvs',
  describe: 'namespace prefix (several labs side by side; logs in /run/<prefix>-lab)',
};

export const LAB_DR_OPTION: OptionDoc = {
  long: 'rs-method',
  arg: 'METHOD',
  type: 'string',
  choices: ['sysctl', 'arptables', 'redirect'],
  default: 'sysctl',
  describe: 'dr: how S1/S2 accept the VIP without answering ARP for it',
};

/** The commands other than the maquettes' (which come from src/lab/maquette-registry.ts). */
const COMMANDS = {
  ha: "build the course's pair of directors (two uvsd with VRRP: VIP 192.168.10.23 and the servers' gateway 192.168.20.254 in one sync group, connection sync); --check pulls the master's cables during a long download",
  down: 'remove every lab namespace and process',
  status: "which maquette is up, uvsd's pid, the director's table, each real server's state",
  'serve-http': "run a web server (used inside the maquette's real servers)",
  'serve-udp-echo': 'run a UDP echo server that prefixes answers with its name',
  'serve-smtp': 'run a minimal SMTP server (for SMTP_CHECK)',
  'serve-dns': 'run a minimal DNS server answering A records (for DNS_CHECK)',
} as const;

export type LabCommand = keyof typeof COMMANDS;

export function labCommand(name: LabCommand): string {
  return COMMANDS[name];
}

export const UVS_LAB_DOC: CommandDoc = {
  name: 'uvs-lab',
  section: 1,
  summary: "the course's LVS maquettes in network namespaces",
  synopsis: ['uvs-lab <command> [options]'],
  description: [
    'Builds, checks and removes the maquettes of the LVS course in network namespaces named uvs-client, uvs-director, uvs-s1, uvs-s2 (and uvs-router for DR), their LANs in uvs-sw. The director runs uvsd; its logs are in /run/uvs-lab.',
  ],
  commands: [
    ...MAQUETTES.map((m) => ({ name: m.command, describe: m.summary })),
    ...Object.entries(COMMANDS).map(([name, describe]) => ({ name, describe })),
  ],
  options: [
    LAB_PREFIX_OPTION,
    ...LAB_UP_OPTIONS,
    LAB_DR_OPTION,
    { long: 'version', type: 'boolean', describe: 'print the version and exit' },
  ],
  sections: [
    {
      title: 'EXAMPLES',
      paragraphs: [
        '  uvs-lab nat --check\n  ip netns exec uvs-director uvsadm -Lnc\n  uvs-lab dr --rs-method arptables --check\n  uvs-lab down',
      ],
    },
  ],
  seeAlso: ['uvsd(8)', 'uvsadm(8)', 'uvs-tun-endpoint(1)', 'ip-netns(8)'],
};
