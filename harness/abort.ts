// One helper combines a caller's signal with a timeout, so every wait in the harness is bounded.

export interface AbortOptions {
  /** Aborts the operation, e.g. on Ctrl-C. */
  signal?: AbortSignal;
  /** Upper bound for the operation; omitted means only `signal` bounds it. */
  timeoutMs?: number;
}

export function combineSignals({ signal, timeoutMs }: AbortOptions): AbortSignal | undefined {
  const signals: AbortSignal[] = [];
  if (signal) signals.push(signal);
  if (timeoutMs !== undefined) signals.push(AbortSignal.timeout(timeoutMs));
  if (signals.length === 0) return undefined;
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `work`'s result, or the signal's reason as soon as it aborts: for work that may not listen to the
 * signal itself. Its late result or error is dropped, never left unhandled.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** True when `error` is the reason of an aborted timeout signal (as opposed to a user abort). */
export function isTimeoutReason(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'TimeoutError';
}

/** The reason a race's losers are aborted with: they lost, nothing went wrong. */
export class RaceLostError extends Error {
  override name = 'RaceLostError';
  constructor() {
    super('Cancelled: another branch of the race settled first');
  }
}

/**
 * Runs each contestant with a signal of its own and settles as the first of them does. The
 * losers' signals are aborted at once (with RaceLostError), so their timers, listeners and
 * commands end with the race instead of keeping the process alive; their late results and
 * errors are dropped. `signal` (e.g. Ctrl-C) aborts every contestant.
 */
export async function race<T>(
  contestants: readonly ((signal: AbortSignal) => Promise<T>)[],
  signal?: AbortSignal,
): Promise<T> {
  const done = new AbortController();
  const shared = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
  try {
    return await Promise.race(
      contestants.map((contestant) => {
        const running = Promise.resolve().then(() => contestant(shared));
        // A loser that fails after the race is over has nobody to report to.
        running.catch(() => {});
        return running;
      }),
    );
  } finally {
    done.abort(new RaceLostError());
  }
}
