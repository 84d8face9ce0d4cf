// uvs-replay's description: its --help (src/replay/replay-options.ts) and its man page
// uvs-replay(1).
import type { CommandDoc } from './command-doc.js';

export const UVS_REPLAY_DOC: CommandDoc = {
  name: 'uvs-replay',
  section: 1,
  summary: 'run the uvs engine on a capture, without privileges and without a network',
  synopsis: ['uvs-replay (--rules RULES | -f keepalived.conf) [options] IN.pcap[ng]… OUT.pcap[ng]'],
  description: [
    "RULES is what `uvsadm -S -n` prints. Each IN is a capture of what the director received (tcpdump -i eth1 -Q in -w in-eth1.pcap, or dumpcap -i eth1 -i eth2 -w in.pcapng); write NAME=FILE to name the interface of a one-interface pcap file (else its file name, or the pcapng interface name, is used). OUT receives what the director would have sent (pcapng, with the interface of each frame, when its name ends in .pcapng). Interfaces' MACs and addresses and the neighbours' MACs not given by flags are learnt from the capture: the director's MAC is the one found in the most unicast frames of an interface, its addresses and its neighbours come from the ARP frames.",
  ],
  options: [
    { long: 'rules', arg: 'FILE', type: 'string', describe: 'rules as `uvsadm -S -n` prints them' },
    {
      long: 'use-file',
      short: 'f',
      arg: 'FILE',
      type: 'string',
      describe: 'a keepalived.conf instead (checkers off: every real server up)',
    },
    {
      long: 'interface',
      arg: 'NAME=MAC[,IP/PREFIX…]',
      type: 'string',
      array: true,
      describe:
        "the director's interface NAME (repeatable); an address with a prefix places the real servers of that subnet on it",
    },
    {
      long: 'neighbour',
      arg: 'IP=MAC',
      type: 'string',
      array: true,
      describe: "a neighbour's MAC (repeatable), beside the capture's ARP",
    },
    {
      long: 'route',
      arg: 'PREFIX=GATEWAY',
      type: 'string',
      array: true,
      describe:
        'real servers of PREFIX are reached through GATEWAY (default=GATEWAY for all), e.g. LVS-TUN behind a router',
    },
    { long: 'version', type: 'boolean', describe: 'print the version and exit' },
    { long: 'help', short: 'h', type: 'boolean', describe: 'this text' },
  ],
  sections: [
    {
      title: 'EXIT STATUS',
      paragraphs: [
        '0 when the replay ran, 1 when a file does not read (the message names the record), 2 for a usage error.',
      ],
    },
  ],
  seeAlso: ['uvsd(8)', 'uvsadm(8)', 'tcpdump(8)'],
};
