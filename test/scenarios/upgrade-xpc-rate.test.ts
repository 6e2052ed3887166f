// Issue 4, "Done when": upgrade-xpc with xpc-endpoint-lost-on-upgrade=0.2 over 100 iterations (40 in the suite)
// reports an interval that contains 0.2. Every iteration's outcome is also the one the sim's dice
// give it, so the rate is not right by accident. Evidence is off: this test is about the numbers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { wilsonInterval } from '../../harness/stats/wilson.ts';
import { validateJUnit } from '../helpers/xmllint.ts';
import { ENDPOINT_QUIRK, RATE_SEED, runDicedUpgrades } from './seeded-dice.ts';
import { sized } from './test-size.ts';

// 100 under `make acceptance`, 40 in the suite (9 of them fail on this seed's dice).
const ITERATIONS = sized(100, 40);
const TRUE_RATE = 0.2;

test(`${ITERATIONS} upgrades at a true rate of 0.2: every outcome as diced, and a 95% interval that contains 0.2`, async (t) => {
  // A bound against a hang, not a timing claim: 100 iterations on two cores shared with other tests.
  t.timeout(sized(1_200_000, 300_000));
  const quirks = { [ENDPOINT_QUIRK]: TRUE_RATE };
  const run = await runDicedUpgrades(t, { seed: RATE_SEED, quirks, iterations: ITERATIONS });
  for (const r of run.results.filter((r) => r.outcome === 'fail')) {
    t.like(r, { failedCheck: 'xpc-endpoint-after-upgrade', matchesSignature: true });
  }
  const [s] = run.summary.scenarios;
  if (!s) return t.fail('no summary');
  t.like(s, { iterations: ITERATIONS, error: 0, otherFailures: 0 });
  t.is(s.pass + s.fail, ITERATIONS);
  const { lo, hi } = wilsonInterval(s.fail, ITERATIONS);
  t.deepEqual(s.ci95, [lo, hi]);
  t.true(lo <= TRUE_RATE && TRUE_RATE <= hi, `ci95 [${lo}, ${hi}]`);
  const percent = (x: number) => `${Math.round(x * 100)}%`;
  t.true(
    s.sentence.startsWith(
      `${s.fail} of ${ITERATIONS} upgrades lost the XPC endpoint: ${percent(s.fail / ITERATIONS)} (${percent(lo)}-${percent(hi)}).`,
    ),
    s.sentence,
  );
  const junit = join(run.runDir, 'junit.xml');
  t.is(validateJUnit(junit), null);
  t.regex(
    readFileSync(junit, 'utf8'),
    new RegExp(`<property name="ci95" value="\\[${lo.toFixed(4)}, ${hi.toFixed(4)}\\]"/>`),
  );
  t.log(s.sentence);
});
