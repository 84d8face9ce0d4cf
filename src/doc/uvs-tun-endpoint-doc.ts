// uvs-tun-endpoint's description: its --help and its man page uvs-tun-endpoint(1).
import type { CommandDoc } from './command-doc.js';

export const UVS_TUN_ENDPOINT_DOC: CommandDoc = {
  name: 'uvs-tun-endpoint',
  section: 1,
  summary: 'receive LVS-TUN packets on a host without the ipip/ip6_tunnel modules',
  synopsis: ['uvs-tun-endpoint [-i IF]... [--vip VIP]...'],
  description: [
    "The real-server side of LVS-TUN where the kernel has no tunnel modules. Run it in the foreground on the real server, with the VIP on lo (as with the kernel's tunl0): it takes IPIP and IPv6-in-IP packets (next header 41) addressed to this host, under an IPv4 or an IPv6 outer header, off the wire, removes the outer header and hands the inner packet to the local stack through its veth pair uvstun0/uvstun1.",
  ],
  options: [
    {
      long: 'interface',
      short: 'i',
      arg: 'IF',
      type: 'string',
      array: true,
      default: [],
      describe: 'where tunnel packets arrive (default: all but lo)',
    },
    {
      long: 'vip',
      arg: 'VIP',
      type: 'string',
      array: true,
      default: [],
      describe: 'accept only inner packets to this IPv4 or IPv6 address (repeatable)',
    },
    { long: 'version', short: 'v', type: 'boolean', describe: 'print the version and exit' },
  ],
  sections: [
    {
      title: 'SIGNALS',
      paragraphs: ['SIGTERM and SIGINT remove the veth pair and exit, printing the counters.'],
    },
  ],
  seeAlso: ['uvsd(8)', 'uvsadm(8)', 'ip-tunnel(8)'],
};
