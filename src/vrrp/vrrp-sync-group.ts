// vrrp_sync_group: its members change state together (keepalived). A member that becomes
// MASTER takes the others to MASTER, one that becomes BACKUP takes them to BACKUP, and one in
// FAULT holds the whole group in FAULT until no member has a fault of its own. Pure: returns
// each member's actions for the runtime to carry out.
import type { GroupState, VrrpAction, VrrpMachine, VrrpState } from './vrrp-machine.js';
import type { VrrpSyncGroupSpec } from './vrrp-spec.js';

export type MemberActions = readonly [VrrpMachine, VrrpAction[]];

export class VrrpSyncGroup {
  constructor(
    readonly spec: VrrpSyncGroupSpec,
    readonly members: readonly VrrpMachine[],
  ) {
    // A member does not leave FAULT while another has a fault of its own.
    for (const m of members) m.groupFault = () => members.some((o) => o !== m && o.faulty);
  }

  /** FAULT when a member is in FAULT, MASTER when all are MASTER, BACKUP otherwise. */
  get state(): GroupState | undefined {
    const states = this.members.map((m) => m.state);
    if (states.some((s) => s === 'INIT' || s === 'STOP')) return undefined;
    if (states.includes('FAULT')) return 'FAULT';
    return states.every((s) => s === 'MASTER') ? 'MASTER' : 'BACKUP';
  }

  /** `member` has just moved to `to` on its own: what every member does to follow. */
  follow(member: VrrpMachine, to: VrrpState, now: number): MemberActions[] {
    if (to === 'INIT' || to === 'STOP') return [];
    const out: MemberActions[] = [];
    const others = this.members.filter((m) => m !== member);
    if (to !== 'FAULT' && others.some((m) => m.faulty)) {
      // Another member still has its own fault: the group stays in FAULT.
      out.push([member, member.step({ kind: 'group', state: 'FAULT' }, now)]);
      return out;
    }
    for (const m of others) {
      const actions = m.step({ kind: 'group', state: to }, now);
      if (actions.length > 0) out.push([m, actions]);
    }
    return out;
  }

  /**
   * After a member's interface or script changed: when no member has a fault of its own any
   * more, the members the group held in FAULT go back to BACKUP together.
   */
  recheck(now: number): MemberActions[] {
    if (this.state !== 'FAULT' || this.members.some((m) => m.faulty)) return [];
    const out: MemberActions[] = [];
    for (const m of this.members) {
      const actions = m.step({ kind: 'group', state: 'BACKUP' }, now);
      if (actions.length > 0) out.push([m, actions]);
    }
    return out;
  }
}
