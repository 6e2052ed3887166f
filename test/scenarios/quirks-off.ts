// Issues 4 and 9, "Done when": with every quirk off and the sim's realistic defaults on (late
// endpoint jobs, a running app that `open -a` only brings forward, a GUI session that arrives after
// SSH, unpersisted Info/Debug lines), 100 iterations of each scenario, with both sleep strategies where
// they apply, give 0 failures
// (10 in the suite, 100 under `make acceptance`). One test file per scenario
// (quirks-off-*.test.ts), so that ava runs them side by side.
import type { ExecutionContext } from 'ava';
import { wilsonInterval } from '../../harness/stats/wilson.ts';
import { runOnSim, type SimRun } from './run-on-sim.ts';
import { sized } from './test-size.ts';

export const QUIRKS_OFF_ITERATIONS = sized(100, 10);

export async function quirksOff(
  t: ExecutionContext,
  scenarioId: string,
  options: Parameters<typeof runOnSim>[1] = {},
): Promise<SimRun> {
  // A bound against a hang, not a timing claim: 100 iterations on two cores shared with other tests.
  t.timeout(sized(1_200_000, 300_000));
  const run = await runOnSim(scenarioId, { repeat: QUIRKS_OFF_ITERATIONS, seed: 11, ...options });
  t.is(run.exitCode, 0, run.console);
  // A run that cannot show the bug (suspend for report 2) claims no interval at all: [0, 1].
  const claimsRate = run.summary.scenarios[0]?.failureRate !== null;
  t.like(run.summary.scenarios[0], {
    iterations: QUIRKS_OFF_ITERATIONS,
    pass: QUIRKS_OFF_ITERATIONS,
    fail: 0,
    otherFailures: 0,
    error: 0,
    ci95: claimsRate ? [0, wilsonInterval(0, QUIRKS_OFF_ITERATIONS).hi] : [0, 1],
  });
  t.log(run.summary.scenarios[0]?.sentence);
  return run;
}
