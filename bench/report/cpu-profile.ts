// Where a process's time went, from a V8 .cpuprofile (what node --cpu-prof writes), within a
// window of its life (pure): self time per function, idle and garbage collection included.

export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileRow {
  /** "process (src/engine/engine.js:120)", "(garbage collector)", "(idle)". */
  readonly where: string;
  readonly selfMs: number;
  /** Share of the window's busy (non-idle) time, 0..1; idle's share of the whole window. */
  readonly share: number;
}

export interface ProfileSummary {
  /** Profiles summed: one per thread (the main thread and each worker). */
  readonly threads: number;
  readonly windowMs: number;
  /** Share of the window the threads were not idle (0..1), all together. */
  readonly busy: number;
  /** The same per thread, in the order the threads started (the main thread first). */
  readonly busyPerThread: readonly number[];
  readonly rows: readonly ProfileRow[];
}

function frameName(f: CpuProfile['nodes'][number]['callFrame']): string {
  if (f.url === '') return f.functionName;
  const file = f.url.replace(/^file:\/\/.*?\/dist\//, '').replace(/^file:\/\//, '');
  return `${f.functionName || '(anonymous)'} (${file}:${f.lineNumber + 1})`;
}

/**
 * Self time per function between `fromMs` and `toMs` after the first profile's start (several
 * profiles, one per thread, add up; their start times share one clock); the `top`
 * heaviest, then idle.
 */
export function summarizeProfiles(
  profiles: readonly CpuProfile[],
  fromMs: number,
  toMs: number,
  top: number,
): ProfileSummary {
  const self = new Map<string, number>();
  let windowUs = 0;
  const ordered = [...profiles].sort((a, b) => a.startTime - b.startTime);
  const origin = ordered[0]?.startTime ?? 0;
  const busyPerThread: number[] = [];
  for (const p of ordered) {
    const names = new Map(p.nodes.map((n) => [n.id, frameName(n.callFrame)]));
    let t = p.startTime - origin;
    let threadUs = 0;
    let threadIdleUs = 0;
    for (let i = 0; i < p.samples.length; i++) {
      t += p.timeDeltas[i] ?? 0;
      // A sample lasts until the next one (DevTools' convention).
      const dur = p.timeDeltas[i + 1] ?? 0;
      if (t / 1000 < fromMs || t / 1000 > toMs) continue;
      const name = names.get(p.samples[i]!) ?? '(unknown)';
      self.set(name, (self.get(name) ?? 0) + dur);
      threadUs += dur;
      if (name === '(idle)') threadIdleUs += dur;
    }
    windowUs += threadUs;
    busyPerThread.push(threadUs > 0 ? 1 - threadIdleUs / threadUs : 0);
  }
  const idleUs = self.get('(idle)') ?? 0;
  const busyUs = windowUs - idleUs;
  const rows = [...self.entries()]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, us]) => ({ where, selfMs: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
  if (idleUs > 0)
    rows.push({
      where: '(idle)',
      selfMs: idleUs / 1000,
      share: windowUs > 0 ? idleUs / windowUs : 0,
    });
  return {
    threads: profiles.length,
    windowMs: windowUs / 1000,
    busy: windowUs > 0 ? busyUs / windowUs : 0,
    busyPerThread,
    rows,
  };
}
