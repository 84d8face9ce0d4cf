// A checker's failure must never be more than its real server's DOWN. Every check attempt runs
// inside a boundary: a checker that throws synchronously or rejects counts as a failed check,
// and the attempt's async context (AsyncLocalStorage) follows its sockets, timers and child
// processes, so that an exception thrown later from one of their callbacks (a bug in a checker
// or in a library) can still be pinned on that check: uvsd's last-resort handler asks
// `checkInProgress()` and, when the exception comes from a check, fails that check and carries
// on. A check owns nothing but its own socket and result, so nothing else can be left half done.
import { AsyncLocalStorage } from 'node:async_hooks';
import { failed, type Checker, type CheckResult, type CheckTarget } from './checker.js';

export interface CheckContext {
  /** "UDP_CHECK 10.0.0.1:53": what the check was. */
  readonly what: string;
  /** Ends the attempt as failed with `err` (no effect once it has ended). */
  fail(err: unknown): void;
}

const current = new AsyncLocalStorage<CheckContext>();

function message(err: unknown): string {
  return err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
}

/** One attempt of `checker` on `target`; resolves, never rejects, whatever the checker does. */
export function runCheck(checker: Checker, target: CheckTarget): Promise<CheckResult> {
  return new Promise((resolve) => {
    let ended = false;
    const end = (r: CheckResult): void => {
      if (ended) return;
      ended = true;
      resolve(r);
    };
    const context: CheckContext = {
      what: `${checker.type} ${target.ip}:${target.port}`,
      fail: (err) => end(failed(`${checker.type} ${target.ip}:${target.port}: ${message(err)}`)),
    };
    current.run(context, () => {
      try {
        checker.check(target).then(end, (err: unknown) => context.fail(err));
      } catch (err) {
        context.fail(err);
      }
    });
  });
}

/** The check whose code is running (an exception's origin), if any. */
export function checkInProgress(): CheckContext | undefined {
  return current.getStore();
}
