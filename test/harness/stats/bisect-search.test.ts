import test from 'ava';
import { bisectBuilds } from '../../../harness/stats/bisect-search.ts';
import { binomialCdf } from '../../../harness/stats/clean-runs.ts';
import {
  anytimeAbove,
  logThresholdEvidence,
  type ThresholdVerdict,
  thresholdVerdict,
} from '../../../harness/stats/threshold-verdict.ts';

test('finds every boundary, none, and the first build, in at most ceil(log2(n + 1)) probes', async (t) => {
  for (let count = 1; count <= 9; count += 1) {
    for (let boundary = 0; boundary <= count; boundary += 1) {
      const result = await bisectBuilds(count, async (i) => (i >= boundary ? 'above' : 'below'));
      t.is(result.firstAbove, boundary < count ? boundary : null, `${count} builds, boundary ${boundary}`);
      t.true(result.probes.length <= Math.ceil(Math.log2(count + 1)));
    }
  }
});

test('an undecided probe stops the search and is named', async (t) => {
  const result = await bisectBuilds(6, async (i) => (i === 3 ? 'undecided' : 'below'));
  t.deepEqual(result, { firstAbove: null, undecided: 3, probes: [{ index: 3, verdict: 'undecided' }] });
});

// The step's sequential test at 20%: 20 clean runs show "below" (the fixed bound's 14 would not
// hold under its looks), 3 of 3 and 4 of 5 show "above", 3 of 4 does not yet.
test('sequential verdicts at 20%', (t) => {
  t.is(thresholdVerdict(0, 20, 0.2), 'below');
  t.is(thresholdVerdict(0, 19, 0.2), 'undecided');
  t.true(anytimeAbove(3, 3, 0.2));
  t.false(anytimeAbove(2, 2, 0.2));
  t.is(thresholdVerdict(3, 4, 0.2), 'undecided');
  t.is(thresholdVerdict(4, 5, 0.2), 'above');
  t.is(thresholdVerdict(0, 0, 0.2), 'undecided');
  // The evidence's closed form against numerical integration (midpoint rule): 3 of 10 at 20%.
  const integral = (from: number, to: number) => {
    let sum = 0;
    const steps = 200_000;
    for (let i = 0; i < steps; i += 1) {
      const p = from + ((i + 0.5) * (to - from)) / steps;
      sum += p ** 3 * (1 - p) ** 7;
    }
    return (sum * (to - from)) / steps;
  };
  const atThreshold = 0.2 ** 3 * 0.8 ** 7;
  const above = Math.log(integral(0.2, 1) / 0.8 / atThreshold);
  const below = Math.log(integral(0, 0.2) / 0.2 / atThreshold);
  t.true(Math.abs(logThresholdEvidence(3, 10, 0.2, 'above') - above) < 1e-6);
  t.true(Math.abs(logThresholdEvidence(3, 10, 0.2, 'below') - below) < 1e-6);
});

/**
 * The exact chance that a step looking after every iteration up to `max` ends "above" and "below",
 * when the true rate is `p`: summed over every path of outcomes (dynamic programming on the counts
 * of the paths still undecided).
 */
function stepOutcomes(
  p: number,
  threshold: number,
  max: number,
  verdictOf: typeof thresholdVerdict = thresholdVerdict,
): { above: number; below: number } {
  let undecided = new Map<number, number>([[0, 1]]);
  let above = 0;
  let below = 0;
  for (let n = 1; n <= max; n += 1) {
    const next = new Map<number, number>();
    for (const [fail, chance] of undecided) {
      for (const [failed, q] of [
        [1, p],
        [0, 1 - p],
      ] as const) {
        const k = fail + failed;
        const verdict = verdictOf(k, n, threshold);
        if (verdict === 'above') above += chance * q;
        else if (verdict === 'below') below += chance * q;
        else next.set(k, (next.get(k) ?? 0) + chance * q);
      }
    }
    undecided = next;
  }
  return { above, below };
}

test('a step that looks after every iteration is wrong at most 5% of the time, at the threshold too', (t) => {
  for (const threshold of [0.05, 0.2]) {
    for (const max of [40, 300]) {
      // A build at or below the threshold is rarely called above; one at or above, rarely below.
      for (const p of [threshold / 2, threshold]) {
        const { above } = stepOutcomes(p, threshold, max);
        t.true(above <= 0.05, `threshold ${threshold}, max ${max}, rate ${p}: above ${above}`);
      }
      for (const p of [threshold, threshold * 3]) {
        const { below } = stepOutcomes(p, threshold, max);
        t.true(below <= 0.05, `threshold ${threshold}, max ${max}, rate ${p}: below ${below}`);
      }
    }
  }
  // What the step would be with an exact fixed-size bound (one-sided binomial tails at 5%) looked at
  // after every iteration: a build at 20% is called "above" far more often than 5%.
  const fixedBound = (fail: number, n: number, threshold: number): ThresholdVerdict => {
    if (fail > 0 && 1 - binomialCdf(fail - 1, n, threshold) <= 0.05) return 'above';
    if (n > 0 && binomialCdf(fail, n, threshold) <= 0.05) return 'below';
    return 'undecided';
  };
  const naive = stepOutcomes(0.2, 0.2, 40, fixedBound).above;
  t.log(
    `a build at 20%, 40 looks: called above ${naive.toFixed(3)} with the fixed bound, ${stepOutcomes(0.2, 0.2, 40).above.toFixed(3)} with the step's test`,
  );
  t.true(naive > 0.1);
  // Far from the threshold the step decides: the sim's builds at 0% and 60% against 20% in 40.
  t.true(stepOutcomes(0.6, 0.2, 40).above > 0.99);
  t.true(stepOutcomes(0, 0.2, 40).below === 1);
});
