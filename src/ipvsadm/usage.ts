// `uvsadm -h`: ipvsadm's usage text, naming uvsadm.
import { schedulerNames } from '../engine/schedulers/registry.js';
import { UVS_VERSION } from '../control/version.js';
import { IPVS_VERSION } from './format-listing.js';

/** ipvsadm -v's line ("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)"), uvs's. */
export const UVSADM_VERSION = `uvsadm v${UVS_VERSION} (uvs, Node.js ${process.version}, IPVS v${IPVS_VERSION})`;

export function tryHelp(program: string): string {
  return `Try \`${program} -h' or '${program} --help' for more information.\n`;
}

export function usage(p: string): string {
  return `${UVSADM_VERSION}
Usage:
  ${p} -A|E -t|u|f service-address [-s scheduler] [-p [timeout]] [-M netmask] [-b sched-flags]
  ${p} -D -t|u|f service-address
  ${p} -C
  ${p} -R
  ${p} -S [-n]
  ${p} -a|e -t|u|f service-address -r server-address [options]
  ${p} -d -t|u|f service-address -r server-address
  ${p} -L|l [options]
  ${p} -Z [-t|u|f service-address]
  ${p} --set tcp tcpfin udp
  ${p} -h

Commands:
Either long or short options are allowed.
  --add-service     -A        add virtual service with options
  --edit-service    -E        edit virtual service with options
  --delete-service  -D        delete virtual service
  --clear           -C        clear the whole table
  --restore         -R        restore rules from stdin
  --save            -S        save rules to stdout
  --add-server      -a        add real server with options
  --edit-server     -e        edit real server with options
  --delete-server   -d        delete real server
  --list            -L|-l     list the table
  --zero            -Z        zero counters in a service or all services
  --set tcp tcpfin udp        set connection timeout values
  --help            -h        display this help message

Options:
  --tcp-service  -t service-address   service-address is host[:port]
  --udp-service  -u service-address   service-address is host[:port]
  --fwmark-service  -f fwmark         fwmark is an integer greater than zero
  --ipv6         -6                   fwmark entry uses IPv6
  --scheduler    -s scheduler         one of ${schedulerNames().join('|')},
                                      the default scheduler is wlc.
  --persistent   -p [timeout]         persistent service
  --netmask      -M netmask           persistent granularity mask
  --real-server  -r server-address    server-address is host (and port)
  --gatewaying   -g                   gatewaying (direct routing) (default)
  --ipip         -i                   ipip encapsulation (tunneling)
  --masquerading -m                   masquerading (NAT)
  --weight       -w weight            capacity of real server
  --u-threshold  -x uthreshold        upper threshold of connections
  --l-threshold  -y lthreshold        lower threshold of connections
  --connection   -c                   output of current IPVS connections
  --timeout                           output of timeout (tcp tcpfin udp)
  --stats                             output of statistics information
  --rate                              output of rate information
  --exact                             expand numbers (display exact values)
  --thresholds                        output of thresholds information
  --persistent-conn                   output of persistent connection info
  --nosort                            disable sorting output of service/server entries
  --sort                              does nothing, for backwards compatibility
  --numeric      -n                   numeric output of addresses and ports
  --sched-flags  -b flags             scheduler flags (comma-separated)
  --socket PATH                       uvsd's control socket (default: the one of this netns)
`;
}
