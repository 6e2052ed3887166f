// The standard normal distribution: its CDF (through erfc) and quantile (by bisection on the CDF),
// for the sample-size estimate. Precision about 1e-7, far finer than "about N iterations" needs.

/**
 * erfc by the Chebyshev fit of Numerical Recipes (2nd ed., section 6.2, erfcc): fractional error
 * below 1.2e-7 everywhere.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}

export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** The x with normalCdf(x) = p, for 0 < p < 1. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  let lo = -40;
  let hi = 40;
  // 100 halvings of 80 reach far below double precision; the loop ends when the bounds meet.
  for (let i = 0; i < 100 && hi - lo > 1e-12; i += 1) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
