import test from 'ava';
import { bisectBuilds } from '../../../harness/stats/bisect-search.ts';
import { aboveThreshold, thresholdVerdict } from '../../../harness/stats/threshold-verdict.ts';

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

// Exact binomial tails at 20%: 0.8^14 = 0.044 (<= 5%) but 0.8^13 = 0.055; P(X >= 2 | 2, 0.2) = 0.04,
// P(X >= 2 | 3, 0.2) = 3 * 0.04 * 0.8 + 0.008 = 0.104.
test('exact one-sided verdicts at 20%', (t) => {
  t.is(thresholdVerdict(0, 14, 0.2), 'below');
  t.is(thresholdVerdict(0, 13, 0.2), 'undecided');
  t.true(aboveThreshold(2, 2, 0.2));
  t.false(aboveThreshold(2, 3, 0.2));
  t.is(thresholdVerdict(2, 3, 0.2), 'undecided');
  t.is(thresholdVerdict(3, 4, 0.2), 'above');
  t.is(thresholdVerdict(0, 0, 0.2), 'undecided');
});
