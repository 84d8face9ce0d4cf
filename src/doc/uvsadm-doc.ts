// uvsadm's description: its man page uvsadm(8). Its --help is ipvsadm's usage text, word for
// word (src/ipvsadm/usage.ts), which the man page carries as it is.
import { TRACE_USAGE } from '../ipvsadm/trace-args.js';
import { usage } from '../ipvsadm/usage.js';
import type { CommandDoc } from './command-doc.js';

export const UVSADM_DOC: CommandDoc = {
  name: 'uvsadm',
  section: 8,
  summary: "ipvsadm for uvs: administer the userspace virtual server's table",
  synopsis: [
    'uvsadm -A|E -t|u|f service-address [-s scheduler] [-p [timeout]] [-M netmask] [-b sched-flags]',
    'uvsadm -a|e -t|u|f service-address -r server-address [-g|i|m] [-w weight] [-x upper] [-y lower]',
    'uvsadm -D -t|u|f service-address | -d -t|u|f service-address -r server-address',
    'uvsadm -C | -R | -S [-n] | -L|l [options] | -Z [-t|u|f service-address]',
    'uvsadm --set tcp tcpfin udp | -h | -v',
    'uvsadm --trace [-t|u service-address | -f fwmark [-6]] [--count N] [--write PREFIX]',
  ],
  description: [
    "uvsadm speaks ipvsadm's language: the same commands, options, listings (byte for byte), messages and exit statuses (2 for a wrong command line, 255 for a refused operation), so that the scripts and habits of ipvsadm work with uvs. It talks to the uvsd of its network namespace through the control socket /run/uvs/net-<netns inode>.sock: `ip netns exec X uvsadm -Ln` reaches the uvsd of namespace X.",
    "The control socket is root-only unless uvsd was given --socket-group: a user outside that group is told 'permission denied' and what is needed.",
  ],
  options: [
    {
      long: 'socket',
      arg: 'PATH',
      type: 'string',
      describe: "the control socket (default: this network namespace's)",
    },
    {
      long: 'version',
      short: 'v',
      type: 'boolean',
      describe: "print uvsadm's version, in ipvsadm -v's format",
    },
  ],
  sections: [
    {
      title: 'COMMANDS AND OPTIONS',
      paragraphs: ["As ipvsadm's, listed by uvsadm -h:", usage('uvsadm').replace(/^/gm, '  ')],
    },
    {
      title: 'TRACE (A UVS COMMAND)',
      paragraphs: [TRACE_USAGE.replace(/^/gm, '  ')],
    },
    {
      title: 'EXAMPLES',
      paragraphs: [
        '  uvsadm -A -t 192.168.10.23:80 -s rr\n  uvsadm -a -t 192.168.10.23:80 -r 192.168.20.1:80 -m -w 1\n  uvsadm -Ln --stats\n  uvsadm -S -n > rules; uvsadm -C; uvsadm -R < rules',
      ],
    },
    {
      title: 'EXIT STATUS',
      paragraphs: [
        '0 on success, 2 on a wrong command line or when uvsd cannot be reached, 255 when uvsd refuses the operation (as ipvsadm).',
      ],
    },
  ],
  seeAlso: ['uvsd(8)', 'ipvsadm(8)'],
};
