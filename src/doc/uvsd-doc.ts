// uvsd's description: its --help and its man page uvsd(8).
import type { CommandDoc } from './command-doc.js';

/** Defaults chosen from `npm run bench` on a 2-core machine: see README, "Fast path". */
export const DEFAULT_WORKERS = 1;
export const DEFAULT_BUSY_POLL_US = 0;

/** 2^18 connections: about 27 MiB of shared memory, used as the table fills. */
export const DEFAULT_CONN_TABLE_SIZE = 1 << 18;

export const UVSD_DOC: CommandDoc = {
  name: 'uvsd',
  section: 8,
  summary: 'the uvs director daemon (userspace IPVS)',
  synopsis: ['uvsd [options]', 'uvsd -f keepalived.conf [options]', 'uvsd -t [-f keepalived.conf]'],
  description: [
    'Serves every interface of its network namespace but lo (or those given with -i), forwards the frames of the virtual services configured with uvsadm (or a keepalived.conf), and answers uvsadm on a control socket that belongs to the network namespace.',
    'One uvsd runs per network namespace: a second one refuses to start and names the first. Without -f, the rules (what uvsadm -S -n prints) are kept in a state directory and restored at the next start.',
  ],
  options: [
    {
      long: 'interface',
      short: 'i',
      arg: 'IF',
      type: 'string',
      array: true,
      default: [],
      describe: 'serve only this interface (repeatable)',
    },
    {
      long: 'use-file',
      short: 'f',
      arg: 'FILE',
      type: 'string',
      describe: 'run a keepalived.conf (virtual servers, checkers); SIGHUP reloads it',
    },
    {
      long: 'config-test',
      short: 't',
      type: 'boolean',
      default: false,
      describe:
        'check the keepalived.conf of -f (default /etc/keepalived/keepalived.conf) and exit: 0 when it reads, 1 with file:line otherwise; touches nothing',
    },
    {
      long: 'pid',
      short: 'p',
      arg: 'FILE',
      type: 'string',
      describe: "write uvsd's pid to FILE (removed at exit)",
    },
    {
      long: 'log-console',
      short: 'l',
      type: 'boolean',
      default: false,
      describe: 'log to the console (stderr) as well as to syslog with -S',
    },
    {
      long: 'log-detail',
      short: 'D',
      aliases: ['verbose'],
      type: 'boolean',
      default: false,
      describe: 'detailed log messages',
    },
    {
      long: 'log-facility',
      short: 'S',
      arg: 'FACILITY',
      type: 'string',
      describe:
        'log to syslog with this facility: 0-7 (local0-local7), local0-local7, daemon or user',
    },
    {
      long: 'syslog-socket',
      arg: 'PATH',
      type: 'string',
      describe: "syslog's socket for -S (default /dev/log)",
    },
    {
      long: 'socket',
      arg: 'PATH',
      type: 'string',
      describe: 'control socket path (default: /run/uvs/net-<netns inode>.sock)',
    },
    {
      long: 'socket-group',
      arg: 'NAME',
      type: 'string',
      describe:
        "group allowed to use uvsadm (the control socket's group, mode 0660); default: root only",
    },
    {
      long: 'restore',
      type: 'boolean',
      default: true,
      describe:
        "restore the saved rules (not with -f) and take over the previous uvsd's connections at start; --no-restore starts empty",
    },
    {
      long: 'state-dir',
      arg: 'DIR',
      type: 'string',
      describe:
        'where the rules are kept (default: /var/lib/uvs/<netns name>, or net-<inode> for an unnamed namespace)',
    },
    {
      long: 'io',
      arg: 'BACKEND',
      type: 'string',
      choices: ['afpacket', 'pcap'],
      default: 'afpacket',
      describe: 'capture/transmit backend: AF_PACKET rings in worker threads, or libpcap',
    },
    {
      long: 'workers',
      arg: 'N',
      type: 'number',
      default: DEFAULT_WORKERS,
      describe: 'forwarding worker threads (afpacket)',
    },
    {
      long: 'busy-poll-us',
      arg: 'US',
      type: 'number',
      default: DEFAULT_BUSY_POLL_US,
      describe:
        'µs a worker keeps polling its rings after the last frame before it sleeps (0: sleep at once; spinning pays on a director with cores to spare)',
    },
    {
      long: 'qdisc-bypass',
      type: 'boolean',
      default: false,
      describe: "send past the qdisc layer: faster, but the director's tcpdump no longer sees it",
    },
    {
      long: 'ring',
      arg: 'VERSION',
      type: 'string',
      choices: ['v2', 'v3'],
      default: 'v2',
      describe: 'receive ring: TPACKET_V2 (low latency) or TPACKET_V3 (blocks)',
    },
    {
      long: 'conn-table-size',
      arg: 'N',
      type: 'number',
      default: DEFAULT_CONN_TABLE_SIZE,
      describe: 'connections the table holds (a power of two, fixed at start)',
    },
    {
      long: 'drop-entry',
      arg: 'MODE',
      type: 'number',
      default: 1,
      describe:
        'drop half-open and idle entries when the table is short (0 off, 1 auto, 2 now, 3 always)',
    },
    {
      long: 'drop-packet',
      arg: 'MODE',
      type: 'number',
      default: 0,
      describe: 'drop new connections at a rate when the table is short (0-3, as the sysctl)',
    },
    {
      long: 'secure-tcp',
      arg: 'MODE',
      type: 'number',
      default: 0,
      describe: 'stricter TCP state table when the table is short (0-3, as the sysctl)',
    },
    {
      long: 'amemthresh',
      arg: 'SLOTS',
      type: 'number',
      describe:
        'free table slots below which the defences apply (default: a sixteenth of the table)',
    },
    {
      long: 'first-syn-drop',
      arg: 'MODE',
      type: 'number',
      default: 1,
      describe:
        'refuse first SYNs (their retries pass) while a receive ring backs up (0 off, 1 auto, 2 always)',
    },
    {
      long: 'kernel-guard',
      type: 'boolean',
      default: true,
      describe: 'install the nftables guard (--no-kernel-guard to skip)',
    },
    {
      long: 'metrics',
      arg: 'HOST:PORT',
      type: 'string',
      describe: 'serve Prometheus metrics on HOST:PORT (GET /metrics)',
    },
    {
      long: 'web',
      arg: 'HOST:PORT',
      type: 'string',
      describe: 'serve the live web view of the director on HOST:PORT',
    },
    {
      long: 'version',
      short: 'v',
      type: 'boolean',
      default: false,
      describe: 'print the version and exit',
    },
  ],
  sections: [
    {
      title: 'SIGNALS',
      paragraphs: [
        'SIGHUP reloads the -f keepalived.conf: unchanged virtual servers keep their connections and counters; a file that does not read is refused and the running configuration stays.',
        'SIGUSR1 writes the current state (virtual services, real servers and weights, checkers and their states) to /run/uvs/net-<inode>.data and logs where, as keepalived writes /tmp/keepalived.data.',
        'SIGUSR2 writes the counters to /run/uvs/net-<inode>.stats.',
        "SIGTERM and SIGINT remove the kernel guard and exit. uvsd never opens Node's inspector: it refuses to start when NODE_OPTIONS or the node command line asks for one.",
      ],
    },
    {
      title: 'FILES',
      paragraphs: [
        '/run/uvs/net-<inode>.sock: the control socket (root only, or root and --socket-group).',
        '/run/uvs/net-<inode>.lock: held while uvsd runs; holds its pid.',
        '/var/lib/uvs/<netns>/rules: the rules restored at start (uvsadm -R format).',
      ],
    },
    {
      title: 'EXIT STATUS',
      paragraphs: [
        '0 after SIGTERM, or when -t finds the configuration good; 1 on a failure (another uvsd running, a configuration that does not read, a device that cannot be captured); 2 on a wrong option.',
      ],
    },
    {
      title: 'EXAMPLES',
      paragraphs: [
        '  ip netns exec director uvsd -i eth1 -i eth2 --socket-group uvsadm',
        '  uvsd -t -f /etc/keepalived/keepalived.conf',
        '  kill -USR1 $(cat /run/uvsd.pid); cat /run/uvs/net-*.data',
      ],
    },
  ],
  seeAlso: ['uvsadm(8)', 'keepalived(8)', 'keepalived.conf(5)', 'ipvsadm(8)'],
};
