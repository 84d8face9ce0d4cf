// ipvsadm's options (short and long), and which options each command takes — ipvsadm's
// commands_v_options table, re-encoded: '+' required, 'x' illegal, '1' at most one of them.

export type Arg = 'none' | 'required' | 'optional';

export interface OptionDef {
  readonly tag: string;
  readonly short?: string;
  readonly long: string;
  readonly arg: Arg;
}

/** Commands first (the first option of a command line must be one), then options. */
export const OPTIONS: readonly OptionDef[] = [
  { tag: 'add-service', short: 'A', long: 'add-service', arg: 'none' },
  { tag: 'edit-service', short: 'E', long: 'edit-service', arg: 'none' },
  { tag: 'delete-service', short: 'D', long: 'delete-service', arg: 'none' },
  { tag: 'flush', short: 'C', long: 'clear', arg: 'none' },
  { tag: 'list', short: 'L', long: 'list', arg: 'none' },
  { tag: 'list', short: 'l', long: 'list', arg: 'none' },
  { tag: 'zero', short: 'Z', long: 'zero', arg: 'none' },
  { tag: 'add-server', short: 'a', long: 'add-server', arg: 'none' },
  { tag: 'edit-server', short: 'e', long: 'edit-server', arg: 'none' },
  { tag: 'delete-server', short: 'd', long: 'delete-server', arg: 'none' },
  { tag: 'set', long: 'set', arg: 'none' },
  { tag: 'help', short: 'h', long: 'help', arg: 'none' },
  { tag: 'version', short: 'v', long: 'version', arg: 'none' },
  { tag: 'restore', short: 'R', long: 'restore', arg: 'none' },
  { tag: 'save', short: 'S', long: 'save', arg: 'none' },
  { tag: 'start-daemon', long: 'start-daemon', arg: 'required' },
  { tag: 'stop-daemon', long: 'stop-daemon', arg: 'required' },
  { tag: 't', short: 't', long: 'tcp-service', arg: 'required' },
  { tag: 'u', short: 'u', long: 'udp-service', arg: 'required' },
  { tag: 'f', short: 'f', long: 'fwmark-service', arg: 'required' },
  { tag: 's', short: 's', long: 'scheduler', arg: 'required' },
  { tag: 'p', short: 'p', long: 'persistent', arg: 'optional' },
  { tag: 'M', short: 'M', long: 'netmask', arg: 'required' },
  { tag: 'r', short: 'r', long: 'real-server', arg: 'required' },
  { tag: 'm', short: 'm', long: 'masquerading', arg: 'none' },
  { tag: 'i', short: 'i', long: 'ipip', arg: 'none' },
  { tag: 'g', short: 'g', long: 'gatewaying', arg: 'none' },
  { tag: 'w', short: 'w', long: 'weight', arg: 'required' },
  { tag: 'x', short: 'x', long: 'u-threshold', arg: 'required' },
  { tag: 'y', short: 'y', long: 'l-threshold', arg: 'required' },
  { tag: 'n', short: 'n', long: 'numeric', arg: 'none' },
  { tag: 'c', short: 'c', long: 'connection', arg: 'none' },
  { tag: 'mcast-interface', long: 'mcast-interface', arg: 'required' },
  { tag: 'syncid', long: 'syncid', arg: 'required' },
  { tag: 'timeout', long: 'timeout', arg: 'none' },
  { tag: 'daemon', long: 'daemon', arg: 'none' },
  { tag: 'stats', long: 'stats', arg: 'none' },
  { tag: 'rate', long: 'rate', arg: 'none' },
  { tag: 'thresholds', long: 'thresholds', arg: 'none' },
  { tag: 'persistent-conn', long: 'persistent-conn', arg: 'none' },
  { tag: 'nosort', long: 'nosort', arg: 'none' },
  { tag: 'sort', long: 'sort', arg: 'none' },
  { tag: 'exact', short: 'X', long: 'exact', arg: 'none' },
  { tag: '6', short: '6', long: 'ipv6', arg: 'none' },
  { tag: 'o', short: 'o', long: 'ops', arg: 'none' },
  { tag: 'b', short: 'b', long: 'sched-flags', arg: 'required' },
  { tag: 'mcast-group', long: 'mcast-group', arg: 'required' },
  { tag: 'mcast-port', long: 'mcast-port', arg: 'required' },
  { tag: 'mcast-ttl', long: 'mcast-ttl', arg: 'required' },
  { tag: 'sync-maxlen', long: 'sync-maxlen', arg: 'required' },
];

export const COMMAND_TAGS = new Set([
  'add-service',
  'edit-service',
  'delete-service',
  'flush',
  'list',
  'zero',
  'add-server',
  'edit-server',
  'delete-server',
  'set',
  'help',
  'version',
  'restore',
  'save',
  'start-daemon',
  'stop-daemon',
]);

/** Option groups as ipvsadm names them in its messages. */
export const OPTION_NAMES = [
  'numeric',
  'connection',
  'service-address',
  'scheduler',
  'persistent',
  'netmask',
  'real-server',
  'forwarding-method',
  'weight',
  'u-threshold',
  'l-threshold',
  'mcast-interface',
  'timeout',
  'daemon',
  'stats',
  'rate',
  'thresholds',
  'persistent-conn',
  'nosort',
  'syncid',
  'exact',
  'ops',
  'sched-flags',
  'mcast-group',
  'mcast-port',
  'mcast-ttl',
  'sync-maxlen',
] as const;
export type OptionName = (typeof OPTION_NAMES)[number];

/** Option tag → the group ipvsadm counts it in. */
export const OPTION_GROUP: Record<string, OptionName> = {
  n: 'numeric',
  c: 'connection',
  t: 'service-address',
  u: 'service-address',
  f: 'service-address',
  s: 'scheduler',
  p: 'persistent',
  M: 'netmask',
  r: 'real-server',
  m: 'forwarding-method',
  i: 'forwarding-method',
  g: 'forwarding-method',
  w: 'weight',
  x: 'u-threshold',
  y: 'l-threshold',
  'mcast-interface': 'mcast-interface',
  syncid: 'syncid',
  timeout: 'timeout',
  daemon: 'daemon',
  stats: 'stats',
  rate: 'rate',
  thresholds: 'thresholds',
  'persistent-conn': 'persistent-conn',
  nosort: 'nosort',
  exact: 'exact',
  o: 'ops',
  b: 'sched-flags',
  'mcast-group': 'mcast-group',
  'mcast-port': 'mcast-port',
  'mcast-ttl': 'mcast-ttl',
  'sync-maxlen': 'sync-maxlen',
};

// One character per option group, in OPTION_NAMES order:
//   n c sv s p M r fw w x y mc to dm st rt th pc ns si ex op b gr po tt ml
// prettier-ignore
export const COMMAND_RULES: Record<string, string> = {
  'add-service':    'xx+   xxxxxxxxxxxxxxx  xxxx',
  'edit-service':   'xx+   xxxxxxxxxxxxxxx  xxxx',
  'delete-service': 'xx+xxxxxxxxxxxxxxxxxxxxxxxx',
  'flush':          'xxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'list':           ' 11xxxxxxxxx11       xxxxxx',
  'add-server':     'xx+xxx+    xxxxxxxxxxxxxxxx',
  'delete-server':  'xx+xxx+xxxxxxxxxxxxxxxxxxxx',
  'edit-server':    'xx+xxx+    xxxxxxxxxxxxxxxx',
  'set':            'xxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'start-daemon':   'xxxxxxxxxxx xxxxxxx xxx    ',
  'stop-daemon':    'xxxxxxxxxxxxxxxxxxx xxxxxxx',
  'restore':        'xxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'save':           ' xxxxxxxxxxxxxxxxxxxxxxxxxx',
  'zero':           'xx xxxxxxxxxxxxxxxxxxxxxxxx',
};

/** The rule of `command` for option group `k` (index in OPTION_NAMES): '+', 'x', '1' or ' '. */
export function ruleOf(command: string, k: number): string {
  const row = COMMAND_RULES[command];
  return row?.[k] ?? ' ';
}
