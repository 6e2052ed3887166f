// `run --compare-to RUN_A`: after every iteration of the new build B, has its rate been shown to
// differ from the finished run A's? Testing again after each iteration with Fisher's test would
// inflate the false-positive rate far beyond 5% (every look is another chance to be fooled), so the
// decision is a sequential test whose level holds under optional stopping:
//
// a mixture likelihood ratio (Robbins' mixture SPRT). The alternative gives each run its own rate,
// drawn from a uniform Beta(1, 1) prior: its marginal likelihood has a closed form (a product of
// beta functions of the counts). The null, "one common rate", is composite, so the denominator is
// its maximum likelihood, which is at least the likelihood at the true common rate p0. Under the
// null the mixture divided by the likelihood at p0 is a nonnegative martingale with mean 1 over the
// stream of outcomes (A's first, then B's one by one), so by Ville's inequality it ever reaches 1/alpha
// with probability at most alpha, whenever one stops; our statistic is smaller, so the same holds.
// Chosen over a group-sequential design (Pocock, O'Brien-Fleming) because it needs no planned
// number of looks and no assumed effect size, and over a simple SPRT because the rates are unknown.
// It pays for that with more iterations than a fixed-size test planned for the true difference.
import { logFactorial } from './log-factorial.ts';

export interface Counts {
  fail: number;
  n: number;
}

export const sequentialDefaults = {
  /** The false-positive rate the test keeps under optional stopping. */
  alpha: 0.05,
} as const;

/** ln of the integral of p^k (1-p)^(n-k) dp over [0, 1]: ln B(k+1, n-k+1). */
function logBetaMarginal({ fail, n }: Counts): number {
  return logFactorial(fail) + logFactorial(n - fail) - logFactorial(n + 1);
}

/** ln p^k (1-p)^(n-k) at its maximum p = k/n (0 ln 0 = 0). */
function logMaxLikelihood(fail: number, n: number): number {
  if (fail === 0 || fail === n) return 0;
  const p = fail / n;
  return fail * Math.log(p) + (n - fail) * Math.log(1 - p);
}

/** ln of the evidence against "A and B share one rate": 0 before any data, larger as they part. */
export function logEvidence(a: Counts, b: Counts): number {
  return logBetaMarginal(a) + logBetaMarginal(b) - logMaxLikelihood(a.fail + b.fail, a.n + b.n);
}

export type SequentialVerdict = 'b-higher' | 'b-lower' | 'undecided';

/** Decided once the evidence reaches 1/alpha; the direction is the observed one. */
export function sequentialVerdict(
  a: Counts,
  b: Counts,
  alpha: number = sequentialDefaults.alpha,
): SequentialVerdict {
  if (a.n === 0 || b.n === 0) return 'undecided';
  if (logEvidence(a, b) < Math.log(1 / alpha)) return 'undecided';
  return b.fail / b.n > a.fail / a.n ? 'b-higher' : 'b-lower';
}
