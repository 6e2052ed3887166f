// Issue 4, "Done when": with every quirk off, iterations of each scenario give no failure.
// 5 iterations per scenario, not 100: one sim iteration takes about 4 s on this 2-core machine
// (bench/iteration-time.ts), and the whole suite must stay well under 10 minutes.
import test from 'ava';
import { scenarios } from '../../scenarios/index.ts';
import { runOnSim } from './run-on-sim.ts';

const ITERATIONS = 5;

for (const scenario of scenarios) {
  test.serial(`${scenario.id}: ${ITERATIONS} iterations, quirks off, no failure`, async (t) => {
    t.timeout(120_000);
    const run = await runOnSim(scenario.id, { repeat: ITERATIONS, seed: 11 });
    t.is(run.exitCode, 0, run.console);
    t.like(run.summary.scenarios[0], {
      iterations: ITERATIONS,
      pass: ITERATIONS,
      fail: 0,
      otherFailures: 0,
      error: 0,
    });
    t.deepEqual(run.summary.scenarios[0]?.ci95[0], 0);
  });
}

test.serial('same-version-no-replace states that the first build keeps running', async (t) => {
  t.timeout(60_000);
  const run = await runOnSim('same-version-no-replace', { repeat: 1, seed: 3 });
  t.is(run.exitCode, 0, run.console);
  t.deepEqual(run.results[0]?.findings, { 'running-binary': 'the first build' });
  t.deepEqual(run.summary.scenarios[0]?.findings, { 'running-binary': { 'the first build': 1 } });
});
