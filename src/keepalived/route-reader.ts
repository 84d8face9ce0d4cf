// Route and rule lines of static_routes / virtual_routes and static_rules / virtual_rules, as
// keepalived reads them (alloc_route, alloc_rule): the fields a runtime needs are typed, the
// rest of iproute2's options are kept as written.
import { familyOf, parsePrefixed } from './address.js';
import { scope, type InterfaceUse } from './ip-address-reader.js';
import type { Reader } from './reader.js';
import type { Statement } from './tree.js';
import type { RouteSpec, RuleSpec } from './vrrp-model.js';

const ROUTE_TYPES = [
  'unicast',
  'local',
  'broadcast',
  'multicast',
  'throw',
  'unreachable',
  'prohibit',
  'blackhole',
  'nat',
];
/** Route options with one value, or two when the first is `lock`. */
const ROUTE_VALUE = [
  'tos',
  'dsfield',
  'expires',
  'hoplimit',
  'window',
  'realms',
  'initcwnd',
  'initrwnd',
  'features',
  'quickack',
  'pref',
  'ttl-propagate',
  'fastopen_no_cookie',
  'as',
];
const ROUTE_LOCKABLE = [
  'mtu',
  'advmss',
  'rtt',
  'rttvar',
  'reordering',
  'cwnd',
  'ssthresh',
  'rto_min',
  'congctl',
];
const RULE_VALUE = [
  'tos',
  'dsfield',
  'realms',
  'suppress_prefixlength',
  'sup_pl',
  'suppress_ifgroup',
  'sup_group',
  'tunnel-id',
  'uidrange',
  'protocol',
  'ipproto',
  'sport',
  'dport',
  'track_group',
];
const RULE_ACTIONS = ['nop', 'blackhole', 'prohibit', 'unreachable', 'l3mdev'];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Walks the words of a line: the current one, its value, and where the next begins. */
class Words {
  i = 0;
  constructor(
    private readonly r: Reader,
    readonly s: Statement,
    readonly words: readonly string[],
  ) {}
  get done(): boolean {
    return this.i >= this.words.length;
  }
  next(): string {
    return this.words[this.i++]!;
  }
  value(of: string): string {
    const v = this.words[this.i++];
    if (v === undefined) this.r.fail(this.s, `${of} needs a value`);
    return v;
  }
  int(of: string): number {
    const v = this.value(of);
    if (!/^\d+$/.test(v) || Number(v) > 0xffffffff)
      this.r.fail(this.s, `${of}: "${v}" is not a whole number from 0 to 4294967295`);
    return Number(v);
  }
}

/** A route or rule keepalived skips (a malformed address): warned about, then dropped. */
class SkipLine extends Error {}

function address(
  r: Reader,
  s: Statement,
  text: string,
  what: string,
): { text: string; family: 4 | 6 } {
  const a = parsePrefixed(text);
  if (!a || a.prefix < 0) {
    r.warn(s, `${what} "${text}" is not an IPv${familyOf(text)} address; line skipped`);
    throw new SkipLine();
  }
  return { text: a.explicit ? `${a.ip}/${a.prefix}` : a.ip, family: a.family };
}

/** Reads a line with `read`; undefined when it was skipped. */
function skippable<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof SkipLine) return undefined;
    throw err;
  }
}

function destination(r: Reader, w: Words, d: Mutable<RouteSpec>, word: string): void {
  let v = word === 'to' ? w.value('to') : word;
  if (ROUTE_TYPES.includes(v)) {
    d.type = v;
    v = w.value(v);
  }
  if (['default', 'any', 'all'].includes(v)) d.destination = 'default';
  else {
    const a = address(r, w.s, v, 'route destination');
    d.destination = a.text;
    d.family = a.family;
  }
}

function routeWord(
  r: Reader,
  w: Words,
  d: Mutable<RouteSpec>,
  use: InterfaceUse,
  word: string,
): void {
  const s = w.s;
  if (word === 'inet' || word === 'inet6') d.family = word === 'inet' ? 4 : 6;
  else if (word === 'no_track') d.noTrack = true;
  else if (word === 'via' || word === 'gw') {
    if (word === 'gw') r.warn(s, '"gw" for routes is deprecated. Please use "via"');
    let v = w.value(word);
    if (v === 'inet' || v === 'inet6') v = w.value(word);
    d.via = address(r, s, v, 'route via').text;
  } else if (word === 'or') {
    r.warn(s, '"or" for routes is deprecated. Please use "nexthop"');
    d.nexthops = [...d.nexthops, address(r, s, w.value('or'), 'route "or"').text];
  } else if (word === 'src') d.src = address(r, s, w.value('src'), 'route src').text;
  else if (word === 'from')
    d.options = [...d.options, 'from', address(r, s, w.value('from'), 'route from').text];
  else if (word === 'dev' || word === 'oif') d.dev = use(s, w.value(word), 'route');
  else if (word === 'table') d.table = w.value('table');
  else if (word === 'protocol') d.protocol = w.value('protocol');
  else if (word === 'scope') d.scope = scope(r, s, w.value('scope'));
  else if (['metric', 'priority', 'preference'].includes(word)) d.metric = w.int(word);
  else if (['onlink', 'prepend', 'append', 'add'].includes(word)) d.options = [...d.options, word];
  else if (
    ROUTE_VALUE.includes(word) ||
    ROUTE_LOCKABLE.includes(word) ||
    word === 'track_group' ||
    word === 'vrf'
  ) {
    const first = w.value(word);
    const lock = ROUTE_LOCKABLE.includes(word) && first === 'lock';
    d.options = [...d.options, word, first, ...(lock ? [w.value(word)] : [])];
  } else if (word === 'nexthop' || word === 'encap') {
    d.options = [...d.options, word, ...w.words.slice(w.i)];
    w.i = w.words.length;
  } else destination(r, w, d, word);
}

/** One route line (keyword and args as the words). */
export function readRoute(r: Reader, s: Statement, use: InterfaceUse): RouteSpec | undefined {
  if (s.children) r.fail(s, `${s.keyword} does not take a block`);
  const d: Mutable<RouteSpec> = {
    where: { file: s.file, line: s.line },
    family: 4,
    type: 'unicast',
    destination: '',
    nexthops: [],
    noTrack: false,
    options: [],
  };
  const w = new Words(r, s, [s.keyword, ...s.args]);
  if (
    skippable(() => {
      while (!w.done) routeWord(r, w, d, use, w.next());
      return true;
    }) === undefined
  )
    return undefined;
  if (d.destination === '') r.fail(s, 'a route needs a destination');
  if (!d.noTrack && d.dev === undefined) {
    r.warn(s, `cannot track route ${d.destination} with no interface specified; not tracking`);
    d.noTrack = true;
  }
  return Object.freeze(d);
}

function ruleWord(
  r: Reader,
  w: Words,
  d: Mutable<RuleSpec>,
  use: InterfaceUse,
  word: string,
): void {
  const s = w.s;
  if (word === 'inet' || word === 'inet6') d.family = word === 'inet' ? 4 : 6;
  else if (word === 'from' || word === 'to') {
    const a = address(r, s, w.value(word), `rule ${word} address`);
    d[word] = a.text;
    d.family = a.family;
  } else if (word === 'table' || word === 'lookup') d.table = w.value(word);
  else if (['preference', 'order', 'priority'].includes(word)) d.preference = w.int(word);
  else if (word === 'fwmark') d.fwmark = w.value(word);
  else if (word === 'dev' || word === 'iif') d.iif = use(s, w.value(word), 'rule');
  else if (word === 'oif') d.oif = use(s, w.value(word), 'rule');
  else if (word === 'no_track') d.noTrack = true;
  else if (word === 'not') d.options = [...d.options, word];
  else if (RULE_VALUE.includes(word)) d.options = [...d.options, word, w.value(word)];
  else if (word === 'goto') d.action = `goto ${w.int(word)}`;
  else if (
    RULE_ACTIONS.includes(word) ||
    (word === 'type' && RULE_ACTIONS.includes(w.value('type')))
  )
    d.action = word === 'type' ? w.words[w.i - 1]! : word;
  else r.fail(s, `unknown rule option "${word}"`);
}

/** One rule line; undefined when keepalived would drop it (no action). */
export function readRule(r: Reader, s: Statement, use: InterfaceUse): RuleSpec | undefined {
  if (s.children) r.fail(s, `${s.keyword} does not take a block`);
  const d: Mutable<RuleSpec> = {
    where: { file: s.file, line: s.line },
    family: 4,
    noTrack: false,
    options: [],
  };
  const w = new Words(r, s, [s.keyword, ...s.args]);
  if (
    skippable(() => {
      while (!w.done) ruleWord(r, w, d, use, w.next());
      return true;
    }) === undefined
  )
    return undefined;
  if (d.table === undefined && d.action === undefined) {
    r.warn(s, 'no action specified for rule; ignored');
    return undefined;
  }
  if (d.preference === undefined)
    r.warn(s, 'rule has no preference specified; the kernel will choose one');
  return Object.freeze(d);
}
