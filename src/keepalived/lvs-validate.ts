// The virtual server checks keepalived makes once the whole file is read
// (validate_check_config): a virtual server without real servers is dropped, settings it
// must have are defaulted with a complaint, duplicate real servers go, the quorum is
// capped by the real servers' weight, and ports are made consistent with the forwarding
// method (only NAT can change a port).
import type { GroupMember, RealServerSpec, VirtualServerSpec } from './model.js';
import type { Draft, Reader } from './reader.js';

/** What the reader noted while reading the block, that the checks need. */
export interface VirtualServerFacts {
  readonly protocolSet: boolean;
  readonly schedulerSet: boolean;
  readonly methodSet: boolean;
}

const DEFAULT_PERSISTENCE = 360;

function name(vs: VirtualServerSpec): string {
  const k = vs.key;
  if (k.kind === 'fwmark') return `FWM ${k.fwmark}`;
  if (k.kind === 'group') return `[${k.name}]`;
  return k.ip.includes(':') ? `[${k.ip}]:${k.port}` : `${k.ip}:${k.port}`;
}

/** An address virtual server, or a group with addresses (the protocol matters). */
const hasAddresses = (vs: VirtualServerSpec, members: readonly GroupMember[]): boolean =>
  vs.key.kind === 'addr' || members.some((m) => m.kind === 'addr');

function defaults(
  r: Reader,
  d: Draft<VirtualServerSpec>,
  f: VirtualServerFacts,
  members: readonly GroupMember[],
): void {
  const vs = d as VirtualServerSpec;
  const onlyFwmarks =
    vs.key.kind === 'fwmark' || (vs.key.kind === 'group' && !hasAddresses(vs, members));
  if (d.haSuspend && (vs.key.kind === 'fwmark' || members.some((m) => m.kind === 'fwmark'))) {
    r.warnAt(
      d.where,
      `Virtual server ${name(vs)}: cannot use ha_suspend with fwmarks - clearing ha_suspend`,
    );
    d.haSuspend = false;
  }
  if (hasAddresses(vs, members) && !f.protocolSet)
    r.warnAt(
      d.where,
      `Virtual server ${name(vs)}: no protocol set; TCP used (keepalived 2.2 defaults to UDP)`,
    );
  const zeroPort =
    (vs.key.kind === 'addr' && vs.key.port === 0) ||
    members.some((m) => m.kind === 'addr' && m.port === 0);
  if (d.persistenceTimeout === undefined && zeroPort) {
    r.warnAt(
      d.where,
      `Virtual server ${name(vs)}: zero port only valid for persistent services - setting`,
    );
    d.persistenceTimeout = DEFAULT_PERSISTENCE;
  }
  if (onlyFwmarks && f.protocolSet)
    r.warnAt(
      d.where,
      `Warning: Virtual server ${name(vs)}: protocol specified for fwmark - protocol will be ignored`,
    );
  if (!f.schedulerSet)
    r.warnAt(d.where, `Virtual server ${name(vs)}: no scheduler set, setting default 'wlc'`);
}

/** Real servers without duplicates, and keepalived's complaint when none has a method. */
function realServers(r: Reader, vs: VirtualServerSpec, f: VirtualServerFacts): RealServerSpec[] {
  const out: RealServerSpec[] = [];
  let complained = false;
  for (const rs of vs.realServers) {
    if (out.some((o) => o.ip === rs.ip && o.port === rs.port)) {
      r.warnAt(
        rs.where,
        `VS ${name(vs)}: real server ${rs.ip}:${rs.port} is duplicated - removing second rs`,
      );
      continue;
    }
    if (rs.method === undefined && !f.methodSet && !complained) {
      r.warnAt(
        vs.where,
        `Virtual server ${name(vs)}: no forwarding method set, setting default NAT`,
      );
      complained = true;
    }
    out.push(rs);
  }
  return out;
}

function quorum(r: Reader, d: Draft<VirtualServerSpec>): void {
  const total = d.realServers.reduce((w, rs) => w + rs.weight, 0);
  const vs = d as VirtualServerSpec;
  if (d.quorum > total) {
    r.warnAt(
      d.where,
      `Warning - quorum ${d.quorum} for ${name(vs)} exceeds total weight of real servers ${total}, reducing quorum to ${total}`,
    );
    d.quorum = total;
  }
  if (d.hysteresis >= d.quorum && d.quorum > 0) {
    r.warnAt(
      d.where,
      `Virtual server ${name(vs)}: hysteresis ${d.hysteresis} >= quorum ${d.quorum}; setting hysteresis to ${d.quorum - 1}`,
    );
    d.hysteresis = d.quorum - 1;
  }
}

/** Ports as IPVS needs them: a non-NAT server keeps the virtual server's port. */
function ports(r: Reader, d: Draft<VirtualServerSpec>, members: readonly GroupMember[]): void {
  const key = d.key;
  const vs = d as VirtualServerSpec;
  d.realServers = d.realServers.map((rs) => {
    const nat = (rs.method ?? d.method) === 'NAT';
    const at = `${rs.ip}:${rs.port}`;
    if (key.kind === 'group') {
      if (nat || rs.port === 0) return rs;
      if (members.some((m) => m.kind === 'fwmark'))
        r.warnAt(
          rs.where,
          `WARNING - fwmark virtual server ${name(vs)}, real server ${at} has port specified - port will be ignored`,
        );
      for (const m of members)
        if (m.kind === 'addr' && m.port !== rs.port)
          r.warnAt(
            rs.where,
            `virtual server ${name(vs)}:[${m.ip ?? ''},${m.port ?? 0}] and real server ${at} ports don't match`,
          );
      return rs;
    }
    if (key.kind === 'fwmark') {
      if (nat || rs.port === 0) return rs;
      r.warnAt(
        rs.where,
        `WARNING - fwmark virtual server ${name(vs)}, real server ${at} has port specified - clearing`,
      );
      return Object.freeze({ ...rs, port: 0 });
    }
    if (rs.port === 0) return Object.freeze({ ...rs, port: key.port });
    if (nat || rs.port === key.port) return rs;
    r.warnAt(
      rs.where,
      `WARNING - virtual server ${name(vs)} and real server ${at} ports don't match - resetting`,
    );
    return Object.freeze({ ...rs, port: key.port });
  });
}

/** The virtual server as keepalived would run it, or undefined when it would not. */
export function validateVirtualServer(
  r: Reader,
  vs: VirtualServerSpec,
  f: VirtualServerFacts,
  groups: ReadonlyMap<string, readonly GroupMember[]>,
): VirtualServerSpec | undefined {
  if (vs.realServers.length === 0) {
    r.warnAt(vs.where, `Virtual server ${name(vs)} has no real servers - ignoring`);
    return undefined;
  }
  const members = vs.key.kind === 'group' ? (groups.get(vs.key.name) ?? []) : [];
  const d: Draft<VirtualServerSpec> = { ...vs };
  defaults(r, d, f, members);
  d.realServers = realServers(r, vs, f);
  quorum(r, d);
  ports(r, d, members);
  return Object.freeze({ ...d, realServers: Object.freeze(d.realServers) });
}
