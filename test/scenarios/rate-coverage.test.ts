// Issue 4, "Done when": over 10 different seeds the interval contains the true rate in at least 8.
// 20 iterations per seed here (200 in all, about 100 s of CPU); bench/rate-coverage.ts runs the
// full 10 x 100 and prints how many intervals cover 0.2.
import test from 'ava';
import { wilsonInterval } from '../../harness/stats/wilson.ts';
import { runOnSim } from './run-on-sim.ts';
import { dicedOutcome, ENDPOINT_QUIRK, simSettings } from './seeded-dice.ts';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const ITERATIONS_PER_SEED = 20;
const TRUE_RATE = 0.2;

test('at a true rate of 0.2, at least 8 of 10 seeds give a 95% interval that contains it', async (t) => {
  t.timeout(600_000);
  const quirks = { [ENDPOINT_QUIRK]: TRUE_RATE };
  let covering = 0;
  for (const seed of SEEDS) {
    const run = await runOnSim('upgrade-xpc', {
      repeat: ITERATIONS_PER_SEED,
      seed,
      quirks,
      evidence: 'never',
    });
    const settings = simSettings(seed, quirks);
    t.deepEqual(
      run.results.map((r) => r.outcome),
      run.results.map((r) => dicedOutcome(settings, r.iteration)),
      `seed ${seed}`,
    );
    const [s] = run.summary.scenarios;
    if (!s) return t.fail(`no summary for seed ${seed}`);
    const { lo, hi } = wilsonInterval(s.fail, ITERATIONS_PER_SEED);
    t.deepEqual(s.ci95, [lo, hi]);
    if (lo <= TRUE_RATE && TRUE_RATE <= hi) covering += 1;
    t.log(`seed ${seed}: ${s.sentence}`);
  }
  t.true(covering >= 8, `${covering} of ${SEEDS.length} intervals contain ${TRUE_RATE}`);
});
