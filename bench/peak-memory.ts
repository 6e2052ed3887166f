// The memory benchmarks' one measurement: resident memory before some work and at its peak,
// sampled every 20 ms while it runs, whenever the work calls sample(), and once more at its end.
// Work that never yields to the timers (a CPU-bound parse loop) must call sample() itself, or the
// timer never fires and only the end is seen.

export interface PeakMemory<T> {
  result: T;
  /** Bytes resident before the work began. */
  baseline: number;
  /** The most bytes resident seen while it ran. */
  peak: number;
}

export async function measurePeakRss<T>(work: (sample: () => void) => Promise<T>): Promise<PeakMemory<T>> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const sampler = setInterval(sample, 20);
  try {
    const result = await work(sample);
    sample();
    return { result, baseline, peak };
  } finally {
    clearInterval(sampler);
  }
}
