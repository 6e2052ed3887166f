// Issue 14: filter-sleep-wake's rate follows the seeded dice of filter-flows-stop-after-wake: every
// cycle ends as the dice say (60 cycles under `make acceptance`, 12 in the suite).
import test from 'ava';
import { quirkFires } from '../../sim/quirks.ts';
import { runOnSim } from './run-on-sim.ts';
import { simSettings } from './seeded-dice.ts';
import { sized } from './test-size.ts';

const QUIRK = 'filter-flows-stop-after-wake';

test('the flow-stop quirk at 0.3: each cycle fails exactly when the dice say, and the rate is counted from them', async (t) => {
  const iterations = sized(60, 12);
  t.timeout(60_000 + iterations * 5_000);
  const seed = 2026;
  const quirks = { [QUIRK]: 0.3 };
  const run = await runOnSim('filter-sleep-wake', {
    repeat: iterations,
    seed,
    quirks,
    evidence: 'never',
    inputs: { 'deadline-ms': '1000' },
  });
  const settings = simSettings(seed, quirks);
  // One wake per cycle; the content filter is the first running provider, so its roll is the first.
  const diced = run.results.map((r) => (quirkFires(settings, `#${r.iteration}`, QUIRK, 0) ? 'fail' : 'pass'));
  t.deepEqual(
    run.results.map((r) => r.outcome),
    diced,
  );
  const fails = diced.filter((o) => o === 'fail').length;
  t.true(fails > 0 && fails < iterations, `the dice of seed ${seed} give ${fails} of ${iterations}`);
  t.like(run.summary.scenarios[0], {
    fail: fails,
    pass: iterations - fails,
    failureRate: fails / iterations,
  });
});
