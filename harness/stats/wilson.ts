// The 95% Wilson score interval of a binomial proportion: unlike the normal approximation it stays
// inside [0, 1] and is honest at 0 of n and at small n, which is where intermittent bugs live.

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  lo: number;
  hi: number;
}

export function wilsonInterval(failures: number, n: number, z = Z95): Interval {
  if (!Number.isInteger(failures) || !Number.isInteger(n) || failures < 0 || n < 0 || failures > n) {
    throw new RangeError(`Wilson interval needs whole numbers 0 <= failures <= n, got ${failures} of ${n}`);
  }
  // No observation: nothing is excluded.
  if (n === 0) return { lo: 0, hi: 1 };
  const p = failures / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // Exact ends at 0 and n, so that "0 failures" prints as 0% and not as 1e-17.
  return {
    lo: failures === 0 ? 0 : Math.max(0, centre - half),
    hi: failures === n ? 1 : Math.min(1, centre + half),
  };
}
