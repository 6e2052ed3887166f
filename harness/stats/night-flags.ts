// Is this night worse than the last ones? A night is flagged when its rate is above the pooled rate
// of the previous `window` nights and Fisher's exact test (two-sided, so at most alpha/2 for the
// "above" side) says the difference is significant. Each night is one more test, so over a month of
// nights with nothing changed about one in 40 is flagged: a prompt to look, not a verdict.
import { fisherExactTwoSided } from './fisher-exact.ts';

export interface NightCounts {
  fail: number;
  /** Iterations with a verdict on the bug. */
  n: number;
}

export interface NightFlag {
  /** Set when the night is significantly above its window. */
  flagged: boolean;
  /** The pooled previous window it was compared with; undefined without one. */
  window?: NightCounts;
  pValue?: number;
}

export const nightFlagDefaults = { window: 7, alpha: 0.05 } as const;

export function flagNights(
  nights: readonly NightCounts[],
  options: { window?: number; alpha?: number } = {},
): NightFlag[] {
  // An option given as undefined takes its default too.
  const window = options.window ?? nightFlagDefaults.window;
  const alpha = options.alpha ?? nightFlagDefaults.alpha;
  return nights.map((night, i) => {
    const previous = nights.slice(Math.max(0, i - window), i).filter((x) => x.n > 0);
    const pooled = previous.reduce((sum, x) => ({ fail: sum.fail + x.fail, n: sum.n + x.n }), {
      fail: 0,
      n: 0,
    });
    if (night.n === 0 || pooled.n === 0) return { flagged: false };
    const pValue = fisherExactTwoSided({ failA: pooled.fail, nA: pooled.n, failB: night.fail, nB: night.n });
    const above = night.fail / night.n > pooled.fail / pooled.n;
    return { flagged: above && pValue < alpha, window: pooled, pValue };
  });
}
