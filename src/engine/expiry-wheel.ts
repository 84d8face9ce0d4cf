// When connections expire: a timer wheel over the connection table (IPVS gives each connection a
// kernel timer; a table of a million entries cannot be scanned every second). The wheel has one
// list per second of the next SLOTS seconds; a connection sits in the list of the second it
// expires in. A packet that pushes the expiry later does not move it (the entry is looked at
// when its second comes, and put further on); one that brings it earlier (ESTABLISHED → TIME_WAIT)
// moves it. Any thread may add or move entries (under the wheel's lock); only one thread — the
// main thread, or the engine's owner when there are no workers — runs the expiry.
import { Cf } from './conn-layout.js';
import type { ConnTable } from './conn-table.js';
import type { Part, SharedRegion } from './shared/region.js';
import { lock, type ThreadId, unlock } from './shared/spin-lock.js';

export const WHEEL_TICK_MS = 1000;
const SLOTS = 4096;
const EMPTY = -1;

const enum Meta {
  Lock = 0,
  Words = 4,
}

/** Float64 part: the start of the last slot the expiry has gone through. */
const enum Pos {
  Done = 0,
  Count = 1,
}

function slotStart(t: number): number {
  return Math.floor(t / WHEEL_TICK_MS) * WHEEL_TICK_MS;
}

function slotOf(start: number): number {
  return (start / WHEEL_TICK_MS) & (SLOTS - 1);
}

/** The part names of the IPv4 table's wheel (the default). */
export const WHEEL = 'wheel';

export class ExpiryWheel {
  private readonly heads: Int32Array;
  private readonly meta: Int32Array;
  private readonly pos: Float64Array;
  private readonly w: Int32Array;
  private readonly d: Float64Array;
  private readonly stride: number;

  /** `name` tells the wheels of several tables apart in one region. */
  static parts(name = WHEEL): Part[] {
    return [
      { name: `${name}.heads`, bytes: SLOTS * 4 },
      { name: `${name}.meta`, bytes: Meta.Words * 4 },
      { name: `${name}.pos`, bytes: Pos.Count * 8 },
    ];
  }

  constructor(
    region: SharedRegion,
    private readonly table: ConnTable,
    private readonly owner: ThreadId,
    name = WHEEL,
  ) {
    this.heads = region.int32(`${name}.heads`, SLOTS);
    this.meta = region.int32(`${name}.meta`, Meta.Words);
    this.pos = region.float64(`${name}.pos`, Pos.Count);
    this.w = table.w;
    this.d = table.d;
    this.stride = table.stride;
  }

  /** Empties the wheel; expiry starts from `now`. */
  initialise(now: number): void {
    this.heads.fill(EMPTY);
    this.meta.fill(0);
    this.pos[Pos.Done] = slotStart(now) - WHEEL_TICK_MS;
  }

  private wheelAt(i: number): number {
    return this.d[(i * this.stride + Cf.WheelAt) >> 1]!;
  }

  private setWheelAt(i: number, t: number): void {
    this.d[(i * this.stride + Cf.WheelAt) >> 1] = t;
  }

  /** The slot an entry expiring at `t` goes to: never one the expiry has already gone past. */
  private startFor(t: number): number {
    return Math.max(slotStart(t), this.pos[Pos.Done]! + WHEEL_TICK_MS);
  }

  private link(i: number, start: number): void {
    const s = slotOf(start);
    const b = i * this.stride;
    const head = this.heads[s]!;
    this.w[b + Cf.WheelNext] = head;
    this.w[b + Cf.WheelPrev] = EMPTY;
    if (head !== EMPTY) this.w[head * this.stride + Cf.WheelPrev] = i;
    this.heads[s] = i;
    this.setWheelAt(i, start);
  }

  private unlink(i: number): void {
    const b = i * this.stride;
    const next = this.w[b + Cf.WheelNext]!;
    const prev = this.w[b + Cf.WheelPrev]!;
    if (prev === EMPTY) this.heads[slotOf(this.wheelAt(i))] = next;
    else this.w[prev * this.stride + Cf.WheelNext] = next;
    if (next !== EMPTY) this.w[next * this.stride + Cf.WheelPrev] = prev;
  }

  /** Puts a new entry (its Expires set) on the wheel. */
  add(i: number): void {
    lock(this.meta, Meta.Lock, this.owner);
    this.link(i, this.startFor(this.table.expires(i)));
    unlock(this.meta, Meta.Lock);
  }

  /** After an entry's expiry was brought earlier: moves it to its new second. */
  expiryShortened(i: number): void {
    const at = this.wheelAt(i);
    if (at < 0 || slotStart(this.table.expires(i)) >= at) return;
    lock(this.meta, Meta.Lock, this.owner);
    // The expiry may have taken it meanwhile (WheelAt −1): it will see the new time itself.
    const start = this.startFor(this.table.expires(i));
    if (this.wheelAt(i) === at && start < at) {
      this.unlink(i);
      this.link(i, start);
    }
    unlock(this.meta, Meta.Lock);
  }

  /**
   * Takes an entry off the wheel so that its caller may remove it (the defences evicting it);
   * false when the expiry holds it right now (it is the expiry's to remove, not the caller's).
   */
  take(i: number): boolean {
    lock(this.meta, Meta.Lock, this.owner);
    const on = this.wheelAt(i) >= 0;
    if (on) {
      this.unlink(i);
      this.setWheelAt(i, -1);
    }
    unlock(this.meta, Meta.Lock);
    return on;
  }

  /**
   * Runs the expiry up to `now`: every entry whose second has come is given to `due`, which
   * returns true when it removed the entry, false to keep it (it is put back for its Expires).
   * Only one thread calls this.
   */
  expire(now: number, due: (i: number) => boolean): void {
    const last = slotStart(now);
    let t = this.pos[Pos.Done]! + WHEEL_TICK_MS;
    // After a long pause, one turn of the wheel visits every list.
    if (last - t >= SLOTS * WHEEL_TICK_MS) t = last - (SLOTS - 1) * WHEEL_TICK_MS;
    for (; t <= last; t += WHEEL_TICK_MS) {
      // The current second is not over: entries may still be added to it.
      let i = this.detach(t, t === last ? t - WHEEL_TICK_MS : t);
      while (i !== EMPTY) {
        const next = this.w[i * this.stride + Cf.WheelNext]!;
        if (this.table.expires(i) > now || !due(i)) this.add(i);
        i = next;
      }
    }
  }

  /**
   * Takes a slot's whole list off the wheel, each entry marked as being expired, and moves the
   * expiry's position to `done` in the same critical section, so that an entry added meanwhile
   * is either in the list taken or in a later slot.
   */
  private detach(start: number, done: number): number {
    lock(this.meta, Meta.Lock, this.owner);
    this.pos[Pos.Done] = done;
    const s = slotOf(start);
    let i = this.heads[s]!;
    this.heads[s] = EMPTY;
    // Reversed on the way, so that entries are expired in the order they were added (a template
    // before the connection it controls, when both are due in the same second, as IPVS's timers).
    let first = EMPTY;
    while (i !== EMPTY) {
      const next = this.w[i * this.stride + Cf.WheelNext]!;
      this.setWheelAt(i, -1);
      this.w[i * this.stride + Cf.WheelNext] = first;
      first = i;
      i = next;
    }
    unlock(this.meta, Meta.Lock);
    return first;
  }

  releaseLocksOf(owner: ThreadId): boolean {
    return Atomics.compareExchange(this.meta, Meta.Lock, owner + 1, 0) === owner + 1;
  }
}
