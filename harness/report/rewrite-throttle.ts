// A file rewritten whole as iterations finish: at most once per interval while they come, so that a
// long run (1000 iterations) does not pay for one rewrite per iteration, and at once when asked.

export class RewriteThrottle {
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private pending: NodeJS.Timeout | undefined;
  /** A deferred write that failed: a timer has nobody to tell, so the next call throws it. */
  private failed: unknown;

  constructor(
    private readonly write: () => void,
    private readonly intervalMs: number,
  ) {}

  /** Writes now, or once the interval has passed since the last write. */
  soon(): void {
    if (this.failed !== undefined) {
      // Its caller reports the failure (a full disk) as the write's own, and the file is tried again
      // (now() clears it).
      this.now();
      return;
    }
    if (this.pending) return;
    const waitMs = this.lastWriteAt + this.intervalMs - performance.now();
    if (waitMs <= 0) {
      this.now();
      return;
    }
    // Thrown from a timer, a write's error (ENOSPC) would be the process's uncaught exception.
    this.pending = setTimeout(() => {
      try {
        this.now();
      } catch (error) {
        this.failed = error;
      }
    }, waitMs);
    // A run that ends meanwhile writes at its end; the timer must not hold the process.
    this.pending.unref();
  }

  /** Writes now and drops a deferred write. */
  now(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    this.failed = undefined;
    this.lastWriteAt = performance.now();
    this.write();
  }
}
