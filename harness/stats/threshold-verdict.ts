// Is a build's failure rate above or below a threshold? Exact one-sided binomial bounds both ways:
// above when `fail` or more failures in n would be rarer than 1 - confidence at the threshold, below
// when `fail` or fewer would be. Looked at after every iteration (as --until-confident does), so a
// step stops as soon as either side is shown; --max bounds the builds whose rate sits near it.
import { belowThreshold, binomialCdf } from './clean-runs.ts';

export type ThresholdVerdict = 'above' | 'below' | 'undecided';

export function aboveThreshold(fail: number, n: number, threshold: number, confidence = 0.95): boolean {
  return fail > 0 && 1 - binomialCdf(fail - 1, n, threshold) <= 1 - confidence;
}

export function thresholdVerdict(
  fail: number,
  n: number,
  threshold: number,
  confidence = 0.95,
): ThresholdVerdict {
  if (aboveThreshold(fail, n, threshold, confidence)) return 'above';
  if (belowThreshold(fail, n, threshold, confidence)) return 'below';
  return 'undecided';
}
