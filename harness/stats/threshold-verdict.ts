// Is a build's failure rate above or below a threshold? A bisect step looks after every iteration
// and stops at the first verdict, so a fixed-size bound would be fooled by its own looks: an exact
// one-sided binomial bound checked after each of 40 iterations says "above" for a build that sits
// at the threshold 15% of the time, not 5% (26% over 300), and a wrong step sends the search to the
// wrong half.
//
// So each side is a sequential test whose level holds however early it stops: a mixture likelihood
// ratio against the threshold. For "above", the rate's prior is uniform over (threshold, 1]; the
// mixture of the likelihoods divided by the likelihood at the threshold starts at 1 and, when the
// true rate is at or below the threshold, is a nonnegative supermartingale (each factor's mean is
// at most 1), so by Ville's inequality it ever reaches 1 / (1 - confidence) with probability at most
// 1 - confidence. "Below" mirrors it with a uniform prior over [0, threshold). The integrals have a
// closed form: over a part of [0, 1], p^k (1-p)^(n-k) integrates to a beta function times a
// binomial tail. It costs iterations: 20 clean runs show a rate below 20% where the fixed bound
// takes 14.
import { binomialCdf } from './clean-runs.ts';
import { logFactorial } from './log-factorial.ts';

export type ThresholdVerdict = 'above' | 'below' | 'undecided';

/** ln of the evidence that the rate is above (`side` "above") or below the threshold. */
export function logThresholdEvidence(
  fail: number,
  n: number,
  threshold: number,
  side: 'above' | 'below',
): number {
  if (n === 0) return 0;
  const logBeta = logFactorial(fail) + logFactorial(n - fail) - logFactorial(n + 1);
  // Over [0, t], p^k (1-p)^(n-k) integrates to B(k+1, n-k+1) * P(Binomial(n+1, t) >= k+1); over
  // [t, 1] to B(k+1, n-k+1) * P(Binomial(n+1, t) <= k).
  const atMostFail = binomialCdf(fail, n + 1, threshold);
  const share = side === 'above' ? atMostFail : 1 - atMostFail;
  const priorWidth = side === 'above' ? 1 - threshold : threshold;
  const atThreshold = fail * Math.log(threshold) + (n - fail) * Math.log(1 - threshold);
  return logBeta + Math.log(share) - Math.log(priorWidth) - atThreshold;
}

/** "Above" at `confidence`, valid at whatever look it is asked (the sequential test above). */
export function anytimeAbove(fail: number, n: number, threshold: number, confidence = 0.95): boolean {
  return logThresholdEvidence(fail, n, threshold, 'above') >= -Math.log(1 - confidence);
}

/** "Below" at `confidence`, valid at whatever look it is asked; clean-runs.ts's belowThreshold is the fixed-size bound. */
export function anytimeBelow(fail: number, n: number, threshold: number, confidence = 0.95): boolean {
  return logThresholdEvidence(fail, n, threshold, 'below') >= -Math.log(1 - confidence);
}

export function thresholdVerdict(
  fail: number,
  n: number,
  threshold: number,
  confidence = 0.95,
): ThresholdVerdict {
  if (anytimeAbove(fail, n, threshold, confidence)) return 'above';
  if (anytimeBelow(fail, n, threshold, confidence)) return 'below';
  return 'undecided';
}
