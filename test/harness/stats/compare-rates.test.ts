import test from 'ava';
import { compareRates, comparisonSentence, formatP } from '../../../harness/stats/compare-rates.ts';
import { fisherExactTwoSided } from '../../../harness/stats/fisher-exact.ts';
import { newcombeInterval } from '../../../harness/stats/newcombe.ts';
import { iterationsPerRun } from '../../../harness/stats/sample-size.ts';

const words = { unit: 'upgrades', bug: 'lost the XPC endpoint', labelA: '1.5', labelB: '1.6' };

test("the issue's example: 1.6 lost the endpoint in 0 of 59 upgrades against 12 of 60 for 1.5", (t) => {
  const c = compareRates({ fail: 12, iterations: 60 }, { fail: 0, iterations: 59 });
  t.like(c, {
    a: { fail: 12, iterations: 60, rate: 0.2 },
    b: { fail: 0, iterations: 59, rate: 0 },
    difference: -0.2,
    test: 'fisher-exact-two-sided',
    significant: true,
  });
  t.is(c.pValue, fisherExactTwoSided({ failA: 12, nA: 60, failB: 0, nB: 59 }));
  t.deepEqual(c.ci95, newcombeInterval({ failA: 12, nA: 60, failB: 0, nB: 59 }));
  t.false('iterationsToDecide' in c);
  t.is(
    comparisonSentence(c, words),
    "1.6: 0 of 59 upgrades lost the XPC endpoint, against 12 of 60 for 1.5: fewer by 20 points (95% CI 10-32), p < 0.001 (Fisher's exact test). The difference is significant at the 5% level.",
  );
});

test('a worse build reads "more by"', (t) => {
  const c = compareRates({ fail: 2, iterations: 60 }, { fail: 14, iterations: 60 });
  t.true(c.significant);
  t.regex(comparisonSentence(c, words), /: more by 20 points \(95% CI 8-32\), p = 0\.0022 /);
});

test('too small to tell: how many iterations of each run would decide, and how many more', (t) => {
  const c = compareRates({ fail: 12, iterations: 60 }, { fail: 8, iterations: 60 });
  t.false(c.significant);
  t.is(c.iterationsToDecide, iterationsPerRun(0.2, 8 / 60));
  const n = c.iterationsToDecide!;
  t.is(
    comparisonSentence(c, words),
    `1.6: 8 of 60 upgrades lost the XPC endpoint, against 12 of 60 for 1.5: fewer by 7 points (95% CI from 20 fewer to 7 more), p = 0.46 (Fisher's exact test). Too small to tell: no significant difference at the 5% level. If the rates hold, about ${n} upgrades of each run would decide (80% power): ${n - 60} more for 1.6, ${n - 60} more for 1.5.`,
  );
});

test('equal rates: no number of iterations would decide, and the interval bounds the difference', (t) => {
  const c = compareRates({ fail: 12, iterations: 60 }, { fail: 12, iterations: 60 });
  t.like(c, { significant: false, iterationsToDecide: null, difference: 0 });
  t.regex(
    comparisonSentence(c, words),
    /no difference \(95% CI from 14 fewer to 14 more\), p = 1 .*too close for any practical number/,
  );
});

test('p-values print as a person reads them', (t) => {
  t.is(formatP(0.0002), 'p < 0.001');
  t.is(formatP(0.01234), 'p = 0.012');
  t.is(formatP(0.4632), 'p = 0.46');
  t.is(formatP(0.99999999999), 'p = 1');
});
