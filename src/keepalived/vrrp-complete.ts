// A vrrp_instance completed as keepalived completes it at start (vrrp_complete_instance):
// version from the family and vrrp_version, priority from the state and state from the
// priority, the authentication, preemption and strict-mode rules, the advert interval's
// granularity, and the global defaults. What keepalived corrects with a complaint is
// corrected here with a warning; what stops keepalived's VRRP is an error.
import type { GlobalDefs } from './global-model.js';
import type { Reader } from './reader.js';
import type { Statement } from './tree.js';
import type { InstanceDraft } from './vrrp-instance-reader.js';
import type { VrrpInstanceSpec } from './vrrp-model.js';

const OWNER = 255;
const DEFAULT_PRIORITY = 100;
/** Addresses one advert can carry (an 8-bit count). */
const MAX_ADVERTISED = 255;

type Warn = (reason: string) => void;

function versionOf(d: InstanceDraft, g: GlobalDefs, strict: boolean, warn: Warn): 2 | 3 {
  if (d.family !== 6) return d.version ?? g.vrrpVersion;
  if (d.version === 2 && strict)
    warn(`(${d.name}) cannot use IPv6 with VRRP version 2; setting version 3`);
  // Outside strict mode keepalived 2.2 keeps a version 2 set before the addresses were read,
  // and sends it over IPv6 (outside RFC 5798); uvs's VRRP refuses that instance.
  else if (d.version === 2) return 2;
  return 3;
}

function authentication(
  d: InstanceDraft,
  v: { version: 2 | 3; strict: boolean; state: 'MASTER' | 'BACKUP'; priority: number },
  warn: Warn,
): { auth?: VrrpInstanceSpec['authentication']; state: 'MASTER' | 'BACKUP' } {
  const type = d.authType;
  if (type === undefined) return { state: v.state };
  const drop = (why: string): { state: 'MASTER' | 'BACKUP' } => {
    warn(`(${d.name}) ${why}`);
    return { state: v.state };
  };
  if (v.strict) return drop('Strict mode does not support authentication. Ignoring.');
  if (v.version === 3) return drop('VRRP version 3 does not support authentication. Ignoring.');
  if (!d.authPass) return drop('Authentication specified but no password given. Ignoring');
  if (d.family === 6 && type === 'AH')
    return drop('Cannot use AH authentication with IPv6. ignoring');
  let state = v.state;
  if (type === 'AH' && state === 'MASTER' && v.priority !== OWNER) {
    warn(`(${d.name}) Initial state master is incompatible with AH authentication - clearing`);
    state = 'BACKUP';
  }
  return { auth: { type, password: d.authPass }, state };
}

/** Whole seconds for version 2, hundredths for version 3 (keepalived rounds, and says so). */
function advertInterval(d: InstanceDraft, version: 2 | 3, warn: Warn): number {
  const v = d.advertInterval ?? 1;
  const [unit, max] = version === 2 ? [1, 255] : [0.01, 40.95];
  if (v > max) {
    warn(`(${d.name}) VRRPv${version} advertisement interval ${v}s is out of range; ${max}s used`);
    return max;
  }
  const rounded = Math.max(unit, Math.round(v / unit) * unit);
  if (Math.abs(rounded - v) > 1e-9)
    warn(
      `(${d.name}) VRRPv${version} advertisement interval ${v}s must be a multiple of ${unit}s - rounding`,
    );
  return Number(rounded.toFixed(2));
}

function preemption(
  d: InstanceDraft,
  state: string,
  priority: number,
  strict: boolean,
  warn: Warn,
) {
  let { nopreempt, preemptDelay } = d;
  if (priority === OWNER && nopreempt) {
    warn(`(${d.name}) nopreempt is incompatible with priority 255. resetting nopreempt`);
    nopreempt = false;
  }
  if (state === 'MASTER' && nopreempt) {
    warn(`(${d.name}) Warning - nopreempt will not work with initial state MASTER - clearing`);
    nopreempt = false;
  }
  if (state === 'MASTER' && preemptDelay > 0) {
    warn(`(${d.name}) Warning - preempt delay will not work with initial state MASTER - clearing`);
    preemptDelay = 0;
  }
  if (preemptDelay > 0 && (strict || nopreempt)) {
    warn(
      `(${d.name}) preempt_delay is incompatible with ${strict ? 'strict' : 'nopreempt'} mode - resetting`,
    );
    preemptDelay = 0;
  }
  return { nopreempt, preemptDelay };
}

/**
 * What keepalived cannot run an instance without: a VRID and an interface (keepalived 2.2
 * checks the interface before it looks at unicast peers, so unicast needs one too).
 */
function required(
  r: Reader,
  s: Statement,
  d: InstanceDraft,
): { virtualRouterId: number; interface: string } {
  if (d.vrid === undefined) return r.fail(s, `(${d.name}) the virtual router id must be set`);
  if (d.interface === undefined)
    return r.fail(s, `(${d.name}) Unknown interface! (interface is required)`);
  return { virtualRouterId: d.vrid, interface: d.interface };
}

function vips(
  d: InstanceDraft,
  version: 2 | 3,
  strict: boolean,
  r: Reader,
  s: Statement,
  warn: Warn,
) {
  if (d.vips.length === 0) {
    if (version === 3 || strict)
      r.fail(s, `(${d.name}) No VIP specified; at least one is required`);
    warn(`(${d.name}) No VIP specified; at least one is sensible`);
  }
  if (d.vips.length <= MAX_ADVERTISED) return { vips: d.vips, evips: d.evips };
  warn(
    `(${d.name}) Number of VIPs (${d.vips.length}) exceeds maximum/space available in packet (max ${MAX_ADVERTISED} addresses) - excess moved to eVIPs`,
  );
  return {
    vips: d.vips.slice(0, MAX_ADVERTISED),
    evips: [...d.vips.slice(MAX_ADVERTISED), ...d.evips],
  };
}

/** Strict mode's own requirements on the advert and gratuitous ARP settings. */
function strictRules(
  d: InstanceDraft,
  g: GlobalDefs,
  strict: boolean,
  owner: boolean,
  version: 2 | 3,
  warn: Warn,
) {
  const lowerPrioNoAdvert = d.lowerPrioNoAdvert ?? (strict || g.vrrpLowerPrioNoAdvert);
  const higherPrioSendAdvert = d.higherPrioSendAdvert ?? (!strict && g.vrrpHigherPrioSendAdvert);
  if (strict && d.lowerPrioNoAdvert === false)
    warn(`(${d.name}) Strict mode requires no lower priority advert. resetting`);
  if (strict && d.higherPrioSendAdvert)
    warn(`(${d.name}) strict mode requires higher_prio_send_advert to be clear. resetting`);
  if (strict && d.downTimerAdverts !== undefined && d.downTimerAdverts !== 3)
    warn(`(${d.name}) down_timer_adverts is incompatible with strict mode - resetting`);
  let accept = d.accept;
  if (accept && !owner && strict && version === 2) {
    warn(
      `(${d.name}) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting`,
    );
    accept = false;
  }
  return {
    lowerPrioNoAdvert: strict || lowerPrioNoAdvert,
    higherPrioSendAdvert: !strict && higherPrioSendAdvert,
    downTimerAdverts: strict ? 3 : (d.downTimerAdverts ?? g.vrrpDownTimerAdverts),
    ...(accept !== undefined ? { accept } : {}),
  };
}

/** Complaints about unicast settings that keepalived ignores. */
function unicastChecks(d: InstanceDraft, unicast: boolean, warn: Warn): void {
  if (d.unicastConfigured && !unicast)
    warn(
      `(${d.name}) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.`,
    );
  if (d.unicastTtl !== undefined && !unicast)
    warn(`(${d.name}): Cannot use unicast_ttl without unicast peers - resetting`);
  if (unicast && d.mcastDstIp !== undefined)
    warn(`(${d.name}) multicast destination specified with unicast - ignoring`);
}

/** Priority, initial state and authentication, each derived from the others as keepalived. */
function roles(d: InstanceDraft, version: 2 | 3, strict: boolean, warn: Warn) {
  const priority = d.priority ?? (d.state === 'MASTER' ? OWNER : DEFAULT_PRIORITY);
  let state = d.state ?? (priority === OWNER ? 'MASTER' : 'BACKUP');
  if (strict && (state === 'MASTER') !== (priority === OWNER)) {
    warn(`(${d.name}) State MASTER must match being address owner`);
    state = priority === OWNER ? 'MASTER' : 'BACKUP';
  }
  const auth = authentication(d, { version, strict, state, priority }, warn);
  return {
    priority,
    initialState: auth.state,
    ...(auth.auth ? { authentication: auth.auth } : {}),
  };
}

/** The draft's own settings that need no derivation. */
function plain(d: InstanceDraft, g: GlobalDefs, unicast: boolean) {
  return {
    where: d.where,
    name: d.name,
    virtualRoutes: Object.freeze(d.vroutes),
    virtualRules: Object.freeze(d.vrules),
    ...(d.sourceIp !== undefined ? { sourceIp: d.sourceIp } : {}),
    unicastPeers: Object.freeze(d.unicastPeers),
    ...(d.unicastTtl !== undefined && unicast ? { unicastTtl: d.unicastTtl } : {}),
    trackInterfaces: Object.freeze(d.trackInterfaces),
    trackScripts: Object.freeze(d.trackScripts),
    dontTrackPrimary: d.dontTrackPrimary,
    notify: Object.freeze(d.notify),
    smtpAlert: d.smtpAlert,
    garpMasterDelay: d.garpMasterDelay ?? g.vrrpGarpMasterDelay,
    garpMasterRepeat: d.garpMasterRepeat ?? g.vrrpGarpMasterRepeat,
    garpMasterRefresh: d.garpMasterRefresh ?? g.vrrpGarpMasterRefresh,
    garpMasterRefreshRepeat: d.garpMasterRefreshRepeat ?? g.vrrpGarpMasterRefreshRepeat,
    skipCheckAdvAddr: d.skipCheckAdvAddr ?? g.vrrpSkipCheckAdvAddr,
    checkUnicastSrc: d.checkUnicastSrc || g.vrrpCheckUnicastSrc,
    promoteSecondaries: d.promoteSecondaries,
    useVmac: d.useVmac,
  };
}

export function completeInstance(
  r: Reader,
  s: Statement,
  d: InstanceDraft,
  g: GlobalDefs,
): VrrpInstanceSpec {
  const warn: Warn = (reason) => r.warnBlock(s, reason);
  const unicast = d.unicastPeers.length > 0;
  const needed = required(r, s, d);
  unicastChecks(d, unicast, warn);
  const strict = d.strictMode ?? g.vrrpStrict;
  const family = d.family ?? 4;
  const version = versionOf(d, g, strict, warn);
  const role = roles(d, version, strict, warn);
  if (strict && unicast && d.interface !== undefined)
    r.fail(s, `(${d.name}) Unicast peers are not supported in strict mode`);
  const addresses = vips(d, version, strict, r, s, warn);
  return Object.freeze({
    ...plain(d, g, unicast),
    ...role,
    ...needed,
    version,
    family,
    advertInterval: advertInterval(d, version, warn),
    virtualIpAddresses: Object.freeze(addresses.vips),
    excludedIpAddresses: Object.freeze(addresses.evips),
    ...preemption(d, role.initialState, role.priority, strict, warn),
    mcastGroup:
      (!unicast && d.mcastDstIp) || (family === 4 ? g.vrrpMcastGroup4 : g.vrrpMcastGroup6),
    ...garpLowerPrio(d, g, strict, warn),
    ...strictRules(d, g, strict, role.priority === OWNER, version, warn),
    strictMode: strict,
  });
}

function garpLowerPrio(d: InstanceDraft, g: GlobalDefs, strict: boolean, warn: Warn) {
  if (strict) {
    if (d.garpLowerPrioRepeat) warn(`(${d.name}) Strict mode requires no repeat garps. resetting`);
    if (d.garpLowerPrioDelay)
      warn(`(${d.name}) Strict mode requires no repeat garp delay. resetting`);
    return { garpLowerPrioDelay: 0, garpLowerPrioRepeat: 0 };
  }
  const delay = d.garpLowerPrioDelay ?? g.vrrpGarpLowerPrioDelay;
  const repeat = d.garpLowerPrioRepeat ?? g.vrrpGarpLowerPrioRepeat;
  return {
    ...(delay !== undefined ? { garpLowerPrioDelay: delay } : {}),
    ...(repeat !== undefined ? { garpLowerPrioRepeat: repeat } : {}),
  };
}
