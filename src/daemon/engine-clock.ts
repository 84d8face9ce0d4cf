// The time the fast path runs on, in ms: wall-clock based (so that the connection table's
// expiry times mean the same to every thread and to a restarted uvsd) and monotonic within a
// process (performance.now()).
import { performance } from 'node:perf_hooks';

export function engineNow(): number {
  return performance.timeOrigin + performance.now();
}
