// A file rewritten whole as iterations finish: at most once per interval while they come, so that a
// long run (1000 iterations) does not pay for one rewrite per iteration, and at once when asked.

export class RewriteThrottle {
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private pending: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: () => void,
    private readonly intervalMs: number,
  ) {}

  /** Writes now, or once the interval has passed since the last write. */
  soon(): void {
    if (this.pending) return;
    const waitMs = this.lastWriteAt + this.intervalMs - performance.now();
    if (waitMs <= 0) {
      this.now();
      return;
    }
    this.pending = setTimeout(() => this.now(), waitMs);
    // A run that ends meanwhile writes at its end; the timer must not hold the process.
    this.pending.unref();
  }

  /** Writes now and drops a deferred write. */
  now(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    this.lastWriteAt = performance.now();
    this.write();
  }
}
