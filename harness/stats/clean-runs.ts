// How many clean runs in a row show, with an exact one-sided bound, that a failure rate is below p:
// if the rate were p, n clean runs would happen with probability (1-p)^n; n is the smallest count
// that makes that at most 1 - confidence. For p = 5% at 95% this is 59.

export function cleanRunsNeeded(p: number, confidence = 0.95): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`cleanRunsNeeded needs 0 < p < 1, got ${p}`);
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`cleanRunsNeeded needs 0 < confidence < 1, got ${confidence}`);
  }
  const n = Math.ceil(Math.log(1 - confidence) / Math.log(1 - p));
  // Guard the ceiling against floating point landing a hair above a whole number.
  return (1 - p) ** (n - 1) <= 1 - confidence ? n - 1 : n;
}

/** P(X <= k) for X ~ Binomial(n, p), summed in log space so that large n does not underflow. */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  let logTerm = n * Math.log(1 - p);
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= k; i += 1) {
    logTerm += Math.log((n - i + 1) / i) + Math.log(p / (1 - p));
    sum += Math.exp(logTerm);
  }
  return Math.min(1, sum);
}

/**
 * Is the failure rate below `threshold` with an exact one-sided bound? True when `failures` or
 * fewer in `n` runs would be rarer than 1 - confidence if the rate were `threshold`.
 */
export function belowThreshold(failures: number, n: number, threshold: number, confidence = 0.95): boolean {
  return n > 0 && binomialCdf(failures, n, threshold) <= 1 - confidence;
}
