// The VRRP instances of a keepalived.conf, run, IPv4 and IPv6 alike: each state machine's
// actions carried out (adverts and announcements through VrrpSender, VIPs added to and removed
// from the kernel interface, timers on the Clock, notify scripts), received adverts of either
// family decoded and fed back, sync groups kept together, interfaces' carriers and
// vrrp_scripts tracked. Frames come and go through a VrrpLink; the director's forwarding
// follows VIP ownership through VipOwnership.
import type { Clock, TimerId } from '../clock/clock.js';
import { ScriptTracker, type ScriptExec } from './track-script.js';
import { formatVrrpAddr, isLinkLocal6, type VrrpAddr } from './vrrp-addr.js';
import { vrrpFrameFacts, type VrrpFrameFacts } from './vrrp-frame.js';
import { vrrpFrameFacts6 } from './vrrp-frame6.js';
import { VrrpMachine, type VrrpAction, type VrrpState, type VrrpTimer } from './vrrp-machine.js';
import { readAdvert, Vrrp, type VrrpDecodeError } from './vrrp-packet.js';
import { familyOf, groupOf, VrrpSender } from './vrrp-sender.js';
import type { VipOwnership, VrrpHost, VrrpLink } from './vrrp-ports.js';
import type { VrrpConfig, VrrpInstanceSpec } from './vrrp-spec.js';
import { VrrpSyncGroup } from './vrrp-sync-group.js';

export interface VrrpRuntimeDeps {
  readonly clock: Clock;
  readonly link: VrrpLink;
  readonly host: VrrpHost;
  readonly ownership: VipOwnership;
  /** Runs vrrp_script checks. */
  readonly exec: ScriptExec;
  readonly log: (msg: string) => void;
}

export type StateListener = (instance: VrrpInstanceSpec, from: VrrpState, to: VrrpState) => void;

/** Frames that reached no state machine, by reason. */
export type VrrpRxError = VrrpDecodeError | 'no-instance' | 'wrong-destination';

interface Member {
  readonly m: VrrpMachine;
  readonly timers: Map<VrrpTimer, TimerId>;
  group?: VrrpSyncGroup;
  /** Interfaces it watches (its own, tracked ones) → running at the last look. */
  readonly links: Map<string, boolean>;
}

export class VrrpRuntime {
  private readonly members: Member[];
  private readonly groups: VrrpSyncGroup[];
  private readonly groupStates = new Map<VrrpSyncGroup, string | undefined>();
  private readonly scripts: ScriptTracker[];
  private readonly listeners: StateListener[] = [];
  private readonly sender: VrrpSender;
  private propagating = false;
  private stopping = false;
  readonly rxErrors: Record<VrrpRxError, number> = {
    truncated: 0,
    version: 0,
    type: 0,
    length: 0,
    checksum: 0,
    'no-instance': 0,
    'wrong-destination': 0,
  };
  constructor(
    readonly config: VrrpConfig,
    private readonly deps: VrrpRuntimeDeps,
  ) {
    this.sender = new VrrpSender(deps.link, deps.host);
    this.members = config.instances.map((spec) => ({
      m: new VrrpMachine(spec, this.localIpOf(spec)),
      timers: new Map(),
      links: new Map(),
    }));
    this.groups = config.syncGroups.map((g) => {
      const ms = this.members.filter((x) => g.members.includes(x.m.spec.name));
      const group = new VrrpSyncGroup(
        g,
        ms.map((x) => x.m),
      );
      for (const x of ms) x.group = group;
      return group;
    });
    const used = new Set(config.instances.flatMap((i) => i.trackScripts.map((t) => t.name)));
    this.scripts = config.scripts
      .filter((s) => used.has(s.name))
      .map(
        (s) =>
          new ScriptTracker(s, deps.clock, deps.exec, (name, ok) => {
            deps.log(`VRRP_Script(${name}) ${ok ? 'succeeded' : 'failed'}`);
            this.event((x) => x.m.spec.trackScripts.some((t) => t.name === name), {
              kind: 'script',
              name,
              ok,
            });
          }),
      );
  }

  /** Adverts not sent because a unicast peer's MAC is not known yet. */
  get unresolvedPeers(): number {
    return this.sender.unresolvedPeers;
  }

  /** unicast_src_ip, else the interface's first IPv4 address or IPv6 link-local (0: none yet). */
  private localIpOf(spec: VrrpInstanceSpec): VrrpAddr {
    if (spec.unicastSrc !== undefined) return spec.unicastSrc;
    const iface = this.deps.host.interfaceNamed(spec.interface);
    return familyOf(spec) === 6 ? (iface?.linkLocal6 ?? 0n) : (iface?.addr ?? 0);
  }

  onStateChange(listener: StateListener): void {
    this.listeners.push(listener);
  }

  /** Every VIP an instance manages (as written in the configuration, address only). */
  managedVips(): Set<string> {
    return new Set(this.members.flatMap((x) => x.m.spec.vips.map((v) => formatVrrpAddr(v.addr))));
  }

  /** The VIPs of the instances that are MASTER now. */
  heldVips(): Set<string> {
    return new Set(
      this.members
        .filter((x) => x.m.state === 'MASTER')
        .flatMap((x) => x.m.spec.vips.map((v) => formatVrrpAddr(v.addr))),
    );
  }

  instances(): { name: string; state: VrrpState; priority: number; machine: VrrpMachine }[] {
    return this.members.map((x) => ({
      name: x.m.spec.name,
      state: x.m.state,
      priority: x.m.priority,
      machine: x.m,
    }));
  }

  /** Takes the VIPs away from a previous run, then starts every instance (BACKUP or FAULT). */
  start(): void {
    const { host, link, ownership } = this.deps;
    for (const x of this.members) {
      const spec = x.m.spec;
      ownership.setVipOwnership(
        spec.vips.map((v) => v.addr),
        false,
      );
      for (const v of spec.vips) host.removeVip(v, v.dev ?? spec.interface, false);
      // RFC 5798 §5.2.9 wants a link-local first; keepalived only says so, and sends as written.
      const first = spec.vips[0]?.addr;
      if (familyOf(spec) === 6 && spec.unicastPeers.length === 0 && first && !isLinkLocal6(first))
        this.deps.log(`(${spec.name}) the first IPv6 VIP address should be link local`);
    }
    link.onFrame((frame, len, ifIndex) => this.receive(frame, len, ifIndex));
    host.onChange(() => this.linksChanged());
    this.linksChanged();
    for (const s of this.scripts) s.start();
    for (const x of this.members) this.apply(x, x.m.step({ kind: 'startup' }, this.now()));
  }

  /** SIGTERM: every master sends priority 0 and gives its VIPs back, now. */
  shutdown(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const s of this.scripts) s.stop();
    this.propagating = true; // every member stops anyway: no group following
    for (const x of this.members) this.apply(x, x.m.step({ kind: 'shutdown' }, this.now()));
    for (const x of this.members) for (const t of x.timers.values()) this.deps.clock.cancel(t);
  }

  private now(): number {
    return this.deps.clock.now();
  }

  /** Steps `event` on the members `which` selects, then lets sync groups recover together. */
  private event(which: (x: Member) => boolean, event: Parameters<VrrpMachine['step']>[0]): void {
    if (this.stopping) return;
    for (const x of this.members) if (which(x)) this.apply(x, x.m.step(event, this.now()));
    for (const g of this.groups)
      for (const [m, actions] of g.recheck(this.now())) this.apply(this.memberOf(m), actions);
  }

  private memberOf(m: VrrpMachine): Member {
    return this.members.find((x) => x.m === m)!;
  }

  /** Re-reads the watched interfaces: carriers and the adverts' source address. */
  private linksChanged(): void {
    const { host } = this.deps;
    for (const x of this.members) {
      const spec = x.m.spec;
      if (spec.unicastSrc === undefined) x.m.localIp = this.localIpOf(spec);
      for (const name of [spec.interface, ...spec.trackInterfaces.map((t) => t.name)]) {
        const running = host.interfaceNamed(name)?.running ?? false;
        if (x.links.get(name) === running) continue;
        const first = !x.links.has(name);
        x.links.set(name, running);
        // Interfaces start up in the machine's eyes: only news are stepped.
        if (first && running) continue;
        this.event((y) => y === x, { kind: 'interface', name, up: running });
      }
    }
  }

  private receive(frame: Buffer, len: number, ifIndex: number): void {
    const facts = vrrpFrameFacts(frame, len) ?? vrrpFrameFacts6(frame, len);
    if (!facts || facts.len < 2) return;
    const x = this.memberFor(facts, frame[facts.off + Vrrp.Vrid]!, ifIndex);
    if (!x) {
      this.rxErrors['no-instance']++;
      return;
    }
    const spec = x.m.spec;
    const unicast = spec.unicastPeers.length > 0;
    if (facts.dst !== (unicast ? x.m.localIp : groupOf(spec))) {
      this.rxErrors['wrong-destination']++;
      return;
    }
    const advert = readAdvert(frame, facts.off, facts.len, facts.family, facts.pseudo);
    if (typeof advert === 'string') {
      this.rxErrors[advert]++;
      return;
    }
    this.event((y) => y === x, { kind: 'advert', from: facts.src, ttl: facts.ttl, advert });
  }

  /** The instance of that family and VRID on that interface (each family has its own VRIDs). */
  private memberFor(facts: VrrpFrameFacts, vrid: number, ifIndex: number): Member | undefined {
    return this.members.find(
      (y) =>
        y.m.spec.vrid === vrid &&
        familyOf(y.m.spec) === facts.family &&
        this.deps.host.interfaceNamed(y.m.spec.interface)?.ifIndex === ifIndex,
    );
  }

  private apply(x: Member, actions: readonly VrrpAction[]): void {
    for (const a of actions) this.carryOut(x, a);
    if (!this.propagating) this.groupNotify();
  }

  private carryOut(x: Member, a: VrrpAction): void {
    const spec = x.m.spec;
    const { host, ownership, clock } = this.deps;
    switch (a.do) {
      case 'send':
        this.sender.advert(x.m, a.priority);
        return;
      case 'arm': {
        clock.cancel(x.timers.get(a.timer));
        const id = clock.setTimer(a.ms, () => {
          x.timers.delete(a.timer);
          if (!this.stopping) this.event((y) => y === x, { kind: 'timer', timer: a.timer });
        });
        x.timers.set(a.timer, id);
        return;
      }
      case 'cancel':
        clock.cancel(x.timers.get(a.timer));
        x.timers.delete(a.timer);
        return;
      case 'addVips':
        this.deps.log(`(${spec.name}) setting VIPs.`);
        for (const v of spec.vips) host.addVip(v, v.dev ?? spec.interface);
        ownership.setVipOwnership(
          spec.vips.map((v) => v.addr),
          true,
        );
        return;
      case 'removeVips':
        this.deps.log(`(${spec.name}) removing VIPs.`);
        ownership.setVipOwnership(
          spec.vips.map((v) => v.addr),
          false,
        );
        for (const v of spec.vips) host.removeVip(v, v.dev ?? spec.interface, this.stopping);
        return;
      case 'garp':
        this.sender.announce(spec);
        return;
      case 'state':
        this.stateChanged(x, a.from, a.to, a.reason);
        return;
      case 'notify':
        this.notify(spec, a.state, x.m.priority);
        return;
      case 'drop':
        return; // counted by the machine
    }
  }

  private stateChanged(x: Member, from: VrrpState, to: VrrpState, reason: string): void {
    this.deps.log(`(${x.m.spec.name}) Entering ${to} STATE (${reason})`);
    for (const l of this.listeners) l(x.m.spec, from, to);
    if (!x.group || this.propagating) return;
    this.propagating = true;
    try {
      for (const [m, actions] of x.group.follow(x.m, to, this.now()))
        this.apply(this.memberOf(m), actions);
    } finally {
      this.propagating = false;
    }
  }

  private notify(spec: VrrpInstanceSpec, state: string, priority: number): void {
    const line =
      state === 'MASTER'
        ? spec.notifyMaster
        : state === 'BACKUP'
          ? spec.notifyBackup
          : state === 'FAULT'
            ? spec.notifyFault
            : spec.notifyStop;
    if (line) this.deps.host.runScript(line);
    if (spec.notify)
      this.deps.host.runScript(`${spec.notify} INSTANCE ${spec.name} ${state} ${priority}`);
  }

  /** A sync group's notify scripts, when the group as a whole changed state. */
  private groupNotify(): void {
    for (const g of this.groups) {
      const state = g.state;
      if (this.groupStates.get(g) === state) continue;
      this.groupStates.set(g, state);
      if (state === undefined) continue;
      this.deps.log(`VRRP_Group(${g.spec.name}) Syncing instances to ${state} state`);
      const s = g.spec;
      const line =
        state === 'MASTER' ? s.notifyMaster : state === 'BACKUP' ? s.notifyBackup : s.notifyFault;
      if (line) this.deps.host.runScript(line);
      if (s.notify) this.deps.host.runScript(`${s.notify} GROUP ${s.name} ${state} 0`);
    }
  }
}
