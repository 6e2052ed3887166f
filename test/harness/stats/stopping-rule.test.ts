import test from 'ava';
import fc from 'fast-check';
import { rateSentence } from '../../../harness/stats/rate.ts';
import { verdict } from '../../../harness/stats/stopping-rule.ts';

test('a target failure decides "reproduced"; 59 clean runs decide "below-threshold"', (t) => {
  t.is(verdict({ n: 0, failures: 0 }), 'undecided');
  t.is(verdict({ n: 3, failures: 1 }), 'reproduced');
  t.is(verdict({ n: 58, failures: 0 }), 'undecided');
  t.is(verdict({ n: 59, failures: 0 }), 'below-threshold');
  t.is(verdict({ n: 29, failures: 0 }, 0.1), 'below-threshold');
});

test('property: the verdict never changes its mind once clean runs decide, and a failure always reproduces', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 400 }), (n, k) => {
      const failures = Math.min(n, k);
      const v = verdict({ n, failures });
      return failures > 0 ? v === 'reproduced' : v === (n >= 59 ? 'below-threshold' : 'undecided');
    }),
  );
  t.pass();
});

test('the sentence of the issue, and errors are said to be left out', (t) => {
  const what = { unit: 'upgrades', bug: 'lost the XPC endpoint' };
  t.is(
    rateSentence({ pass: 16, fail: 4, otherFailures: 0, errors: 0 }, what),
    '4 of 20 upgrades lost the XPC endpoint: 20% (8%-42%). To show that a fix brings it below 5% takes 59 clean runs in a row (exact one-sided 95% bound).',
  );
  t.regex(
    rateSentence({ pass: 16, fail: 4, otherFailures: 1, errors: 2 }, what),
    /^4 of 20 upgrades .*\(1 other failure\(s\) and 2 error\(s\) not counted\.\)/,
  );
  t.regex(
    rateSentence({ pass: 0, fail: 0, otherFailures: 0, errors: 3 }, what),
    /^No upgrades reached a verdict/,
  );
});

test('with no failure the clean runs so far count toward the threshold, and enough of them say so', (t) => {
  const what = { unit: 'upgrades', bug: 'lost the XPC endpoint' };
  t.is(
    rateSentence({ pass: 20, fail: 0, otherFailures: 0, errors: 1 }, what),
    '0 of 20 upgrades lost the XPC endpoint: 0% (0%-16%). (1 error(s) not counted.) To show that it is below 5% takes 59 clean runs in a row (exact one-sided 95% bound); 20 so far.',
  );
  t.is(
    rateSentence({ pass: 59, fail: 0, otherFailures: 0, errors: 0 }, what),
    '0 of 59 upgrades lost the XPC endpoint: 0% (0%-6%). These 59 clean runs in a row show that it is below 5% (exact one-sided 95% bound).',
  );
  t.regex(
    rateSentence({ pass: 58, fail: 0, otherFailures: 0, errors: 0 }, what),
    /takes 59 clean runs in a row \(exact one-sided 95% bound\); 58 so far\.$/,
  );
});
