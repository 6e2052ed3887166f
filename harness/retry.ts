// The only module that imports p-retry: every retry and every poll in the harness goes through it,
// always bounded by maxRetryTime and the caller's signal.
import pRetry, { AbortError } from 'p-retry';
import { untilAborted } from './abort.ts';
import { WaitTimeoutError } from './errors.ts';

export interface RetryOptions {
  /** What is awaited, for the timeout message: "SSH on 127.64.1.2:2222". */
  what: string;
  /** The VM (or host) it is awaited on. */
  vm: string;
  timeoutMs: number;
  /** Pause between attempts. @default 1000 */
  intervalMs?: number;
  /** Grow the pause by this factor per attempt, up to maxIntervalMs. @default 1 */
  backoffFactor?: number;
  /** The longest pause when backing off. @default 5 × intervalMs */
  maxIntervalMs?: number;
  signal?: AbortSignal;
  /** Called after each failed attempt, e.g. for progress output. */
  onAttemptFailed?: (error: Error, attempt: number) => void;
  /** How long an attempt under way at the deadline may still take before it is given up. @default 30000 */
  attemptGraceMs?: number;
}

/** How a poll paces its attempts: the part of RetryOptions that says when to look again. */
export type PollPace = Pick<RetryOptions, 'intervalMs' | 'backoffFactor' | 'maxIntervalMs'>;

/**
 * The paces the harness polls at, named for what is polled. A pace that backs off sleeps past the
 * moment the state changed (up to its longest pause); a fixed one costs an attempt per interval.
 */
export const pollPaces = {
  /**
   * A guest state that changes within seconds of our own step (sysextd moving an extension, launchd
   * registering an endpoint): every attempt is a guest command, so look often at first, then every 2 s.
   */
  guestState: { intervalMs: 50, backoffFactor: 2, maxIntervalMs: 2_000 },
  /**
   * A cheap host-side look (`tart ip`, a TCP connect to port 22) for a state that can come at any
   * moment of a boot: a short fixed interval wastes at most that interval, where backing off to 1 s
   * and more wasted up to a second per boot.
   */
  quickLook: { intervalMs: 100 },
} as const satisfies Record<string, PollPace>;

/**
 * Calls `attempt` until it resolves, at most `timeoutMs` in all. Errors wrapped with `doNotRetry`
 * end the loop at once; a timeout throws WaitTimeoutError carrying the last error as evidence.
 *
 * p-retry waits for an attempt however long it takes, so an attempt that never settles (a
 * connection that hangs without an error) would outlive the bound. An attempt under way at the
 * deadline may still finish within a grace period (its answer, a check's verdict above all, is the
 * result); after that, or with the caller's signal, the signal each attempt gets aborts, to end
 * what it started, and the attempt is given up as failed even if it does not listen.
 */
export async function retryUntil<T>(
  attempt: (attemptNumber: number, signal: AbortSignal) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const intervalMs = options.intervalMs ?? 1000;
  const factor = options.backoffFactor ?? 1;
  let lastError: Error | undefined;
  const bound = new AbortController();
  const onAbort = () => bound.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const graceMs = options.attemptGraceMs ?? ATTEMPT_GRACE_MS;
  const deadline = setTimeout(
    () => bound.abort(new Error(`the attempt did not end within ${graceMs / 1000} s after the deadline`)),
    // Node fires a timer of more than 2^31-1 ms at once; a longer (or endless) wait gets the longest one.
    Math.min(options.timeoutMs + graceMs, LONGEST_TIMER_MS),
  );
  const bounded = (attemptNumber: number) =>
    bound.signal.aborted
      ? Promise.reject(bound.signal.reason)
      : untilAborted(attempt(attemptNumber, bound.signal), bound.signal);
  try {
    return await pRetry(bounded, {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: intervalMs,
      maxTimeout: factor > 1 ? (options.maxIntervalMs ?? intervalMs * 5) : intervalMs,
      factor,
      randomize: false,
      maxRetryTime: options.timeoutMs,
      signal: options.signal,
      onFailedAttempt: ({ error, attemptNumber }) => {
        lastError = error;
        options.onAttemptFailed?.(error, attemptNumber);
      },
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    // A regular failed attempt ends the loop only when time is up (retries are unlimited);
    // errors from doNotRetry and programming errors (TypeError) are rethrown as they are.
    if (error === lastError && !(error instanceof TypeError)) {
      throw new WaitTimeoutError(options.what, options.vm, options.timeoutMs, (error as Error).message, {
        cause: error,
      });
    }
    throw error;
  } finally {
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The longest delay Node's timers keep (about 24.8 days). */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** How long an attempt under way at a wait's deadline may still take, by default. */
const ATTEMPT_GRACE_MS = 30_000;

/** Wraps an error so that retryUntil rethrows it at once instead of trying again. */
export function doNotRetry(error: unknown): Error {
  return new AbortError(error instanceof Error ? error : new Error(String(error)));
}
