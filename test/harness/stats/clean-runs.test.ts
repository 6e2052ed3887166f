import test from 'ava';
import fc from 'fast-check';
import { belowThreshold, binomialCdf, cleanRunsNeeded } from '../../../harness/stats/clean-runs.ts';

test('59 clean runs for 5%, 299 for 1%, 29 for 10%', (t) => {
  t.is(cleanRunsNeeded(0.05), 59);
  t.is(cleanRunsNeeded(0.01), 299);
  t.is(cleanRunsNeeded(0.1), 29);
});

test('property: n is the smallest count whose (1-p)^n <= 0.05', (t) => {
  fc.assert(
    fc.property(fc.double({ min: 0.001, max: 0.9, noNaN: true }), (p) => {
      const n = cleanRunsNeeded(p);
      return (1 - p) ** n <= 0.05 + 1e-12 && (n === 1 || (1 - p) ** (n - 1) > 0.05 - 1e-12);
    }),
  );
  t.pass();
});

test('binomialCdf agrees with a direct sum and belowThreshold with the clean-run count', (t) => {
  const choose = (n: number, k: number) => {
    let c = 1;
    for (let i = 1; i <= k; i += 1) c = (c * (n - i + 1)) / i;
    return c;
  };
  let direct = 0;
  for (let i = 0; i <= 3; i += 1) direct += choose(20, i) * 0.2 ** i * 0.8 ** (20 - i);
  t.true(Math.abs(binomialCdf(3, 20, 0.2) - direct) < 1e-12);
  t.false(belowThreshold(0, 58, 0.05));
  t.true(belowThreshold(0, 59, 0.05));
  t.false(belowThreshold(1, 59, 0.05));
  t.true(belowThreshold(1, 93, 0.05));
  t.throws(() => cleanRunsNeeded(0), { instanceOf: RangeError });
});
