// Issue 4, "Done when": with boot-fail=0.2 the rate of the target bug is unchanged and the boot
// failures appear as errors. Same seed as upgrade-xpc-rate.test.ts: each iteration that boots has
// the outcome it has there (the dice are per seed, iteration and quirk), and each one that does
// not is an error that the rate leaves out.
import test from 'ava';
import { wilsonInterval } from '../../harness/stats/wilson.ts';
import { dicedOutcome, ENDPOINT_QUIRK, RATE_SEED, runDicedUpgrades, simSettings } from './seeded-dice.ts';
import { sized } from './test-size.ts';

// 100 under `make acceptance`, 20 in the suite.
const ITERATIONS = sized(100, 20);

test(`boot-fail=0.2 over ${ITERATIONS} iterations: boot failures are errors, the target rate is the one without them`, async (t) => {
  // A bound against a hang, not a timing claim: 100 iterations on two cores shared with other tests.
  t.timeout(sized(1_200_000, 300_000));
  const endpointOnly = { [ENDPOINT_QUIRK]: 0.2 };
  const quirks = { ...endpointOnly, 'boot-fail': 0.2 };
  const run = await runDicedUpgrades(t, { seed: RATE_SEED, quirks, iterations: ITERATIONS });
  const without = simSettings(RATE_SEED, endpointOnly);
  for (const r of run.results) {
    if (r.outcome === 'error') {
      t.regex(r.message ?? '', /VZErrorDomain Code=1 "The virtual machine failed to start\."/);
      t.is(r.errorType, 'HostCommandError');
    } else {
      // Unchanged: where it booted, the iteration ends as it does in a run without boot-fail.
      t.is(dicedOutcome(without, r.iteration), r.outcome, `iteration ${r.iteration}`);
    }
  }
  const errors = run.results.filter((r) => r.outcome === 'error').length;
  t.true(errors > 0 && errors < ITERATIONS, `${errors} boot failures`);
  const [s] = run.summary.scenarios;
  if (!s) return t.fail('no summary');
  t.like(s, { iterations: ITERATIONS, error: errors, otherFailures: 0 });
  t.is(s.pass + s.fail, ITERATIONS - errors);
  const { lo, hi } = wilsonInterval(s.fail, s.pass + s.fail);
  t.deepEqual(s.ci95, [lo, hi]);
  t.true(lo <= 0.2 && 0.2 <= hi, `ci95 [${lo}, ${hi}]`);
  t.regex(s.sentence, new RegExp(`\\(${errors} error\\(s\\) not counted\\.\\)`));
  t.log(s.sentence);
});
