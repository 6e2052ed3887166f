// The failure rate of one scenario on one image, from its iteration outcomes. Errors (the VM did
// not boot, SSH never came up, no sleep happened) and failures other than the target bug say
// nothing about the bug, so they are counted apart and left out of the rate's denominator.
import { cleanRunsNeeded } from './clean-runs.ts';
import { wilsonInterval } from './wilson.ts';

export interface RateInput {
  pass: number;
  /** Failures that match the scenario's signature. */
  fail: number;
  otherFailures: number;
  errors: number;
}

export interface Rate {
  /** pass + fail: the iterations that reached a verdict on the target bug. */
  n: number;
  /** fail / n; null when n is 0. */
  rate: number | null;
  ci95: [number, number];
}

export function failureRate(counts: RateInput): Rate {
  const n = counts.pass + counts.fail;
  const { lo, hi } = wilsonInterval(counts.fail, n);
  return { n, rate: n === 0 ? null : counts.fail / n, ci95: [lo, hi] };
}

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** A threshold as given, without float noise: 0.05 -> 5%, 0.025 -> 2.5%, 0.07 -> 7%. */
export function thresholdPercent(x: number): string {
  return `${Number((x * 100).toFixed(2))}%`;
}

/**
 * The sentence a person can act on: "4 of 20 upgrades lost the XPC endpoint: 20% (8%-42%). To show
 * that a fix brings it below 5% takes 59 clean runs in a row (exact one-sided 95% bound)."
 */
export function rateSentence(
  counts: RateInput,
  what: { unit: string; bug: string },
  threshold = 0.05,
): string {
  const r = failureRate(counts);
  const below = thresholdPercent(threshold);
  const needed = cleanRunsNeeded(threshold);
  // With no failure yet the clean runs so far count toward the proof; after one, a fix starts over.
  let tail = `To show that a fix brings it below ${below} takes ${needed} clean runs in a row (exact one-sided 95% bound).`;
  if (counts.fail === 0 && r.n >= needed) {
    tail = `These ${r.n} clean runs in a row show that it is below ${below} (exact one-sided 95% bound).`;
  } else if (counts.fail === 0 && r.n > 0) {
    tail = `To show that it is below ${below} takes ${needed} clean runs in a row (exact one-sided 95% bound); ${r.n} so far.`;
  }
  const apart: string[] = [];
  if (counts.otherFailures > 0) apart.push(`${counts.otherFailures} other failure(s)`);
  if (counts.errors > 0) apart.push(`${counts.errors} error(s)`);
  const note = apart.length > 0 ? ` (${apart.join(' and ')} not counted.)` : '';
  if (r.rate === null) return `No ${what.unit} reached a verdict on whether they ${what.bug}.${note} ${tail}`;
  return `${counts.fail} of ${r.n} ${what.unit} ${what.bug}: ${percent(r.rate)} (${percent(r.ci95[0])}-${percent(r.ci95[1])}).${note} ${tail}`;
}
