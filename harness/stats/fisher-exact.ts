// Fisher's exact test of two failure counts: are `failA` of `nA` and `failB` of `nB` plausible as
// draws at one common rate? Given the margins, the count in A is hypergeometric; the two-sided
// p-value sums the probabilities of every table no more likely than the observed one, as R's
// fisher.test does (with its relative tolerance of 1e-7, so that ties in floating point count).
import { logChoose } from './log-factorial.ts';

export interface TwoCounts {
  failA: number;
  nA: number;
  failB: number;
  nB: number;
}

export function checkCounts({ failA, nA, failB, nB }: TwoCounts): void {
  for (const [fail, n, which] of [
    [failA, nA, 'A'],
    [failB, nB, 'B'],
  ] as const) {
    if (!Number.isInteger(fail) || !Number.isInteger(n) || fail < 0 || n < 1 || fail > n) {
      throw new RangeError(
        `Two-rate comparison needs whole numbers 0 <= failures <= n, n >= 1; got ${fail} of ${n} for ${which}`,
      );
    }
  }
}

/** Two-sided p-value of Fisher's exact test on the 2x2 table [[failA, nA-failA], [failB, nB-failB]]. */
export function fisherExactTwoSided(counts: TwoCounts): number {
  checkCounts(counts);
  const { failA, nA, failB, nB } = counts;
  const failures = failA + failB;
  const lo = Math.max(0, failures - nB);
  const hi = Math.min(failures, nA);
  const logTotal = logChoose(nA + nB, failures);
  const logP = (x: number) => logChoose(nA, x) + logChoose(nB, failures - x) - logTotal;
  const observed = logP(failA);
  const tolerance = Math.log1p(1e-7);
  let p = 0;
  for (let x = lo; x <= hi; x += 1) {
    const lp = logP(x);
    if (lp <= observed + tolerance) p += Math.exp(lp);
  }
  return Math.min(1, p);
}
