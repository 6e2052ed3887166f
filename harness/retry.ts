// The only module that imports p-retry: every retry and every poll in the harness goes through it,
// always bounded by maxRetryTime and the caller's signal.
import pRetry, { AbortError } from 'p-retry';
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
}

/**
 * Calls `attempt` until it resolves, at most `timeoutMs` in all. Errors wrapped with `doNotRetry`
 * end the loop at once; a timeout throws WaitTimeoutError carrying the last error as evidence.
 */
export async function retryUntil<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const intervalMs = options.intervalMs ?? 1000;
  const factor = options.backoffFactor ?? 1;
  let lastError: Error | undefined;
  try {
    return await pRetry(attempt, {
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
  }
}

/** Wraps an error so that retryUntil rethrows it at once instead of trying again. */
export function doNotRetry(error: unknown): Error {
  return new AbortError(error instanceof Error ? error : new Error(String(error)));
}
