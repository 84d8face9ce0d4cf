// Waiting in tests without bare sleeps: poll a condition until it holds, with a deadline, and
// fail with a message that names what did not happen and what was last seen. To assert that
// something does not happen, poll for the evidence that the mechanism has had its chance (a
// checker ran twice, a reload was logged) and check the absence at each probe: the condition
// may throw, and the error goes through.

export interface PollOptions {
  /** What should happen, as the failure message will say it: 'S1 removed from the table'. */
  readonly what: string;
  /** How long to wait at the most. */
  readonly timeoutMs: number;
  /** Pause between two probes (default 100 ms). */
  readonly intervalMs?: number;
  /** What was seen, for the failure message (e.g. the last listing). */
  readonly lastSeen?: () => string;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const seen = (lastSeen: (() => string) | undefined): string =>
  lastSeen ? `; last seen:\n${lastSeen()}` : '';

/**
 * Probes `cond` until it returns a value other than undefined, null or false, and returns that
 * value; throws once `timeoutMs` has passed without it. The condition is probed once more at
 * the deadline, so a slow probe still gets its last chance.
 */
export async function until<T>(
  cond: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  opts: PollOptions,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await cond();
    if (value !== undefined && value !== null && value !== false) return value;
    const left = start + opts.timeoutMs - Date.now();
    if (left <= 0) {
      throw new Error(
        `${opts.what}: did not happen within ${opts.timeoutMs} ms${seen(opts.lastSeen)}`,
      );
    }
    await pause(Math.min(opts.intervalMs ?? 100, left));
  }
}
