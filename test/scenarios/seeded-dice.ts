// What the sim's dice decide for an upgrade-xpc iteration, from the same function the sim rolls
// with: the tests compare every iteration's outcome with it, so a misclassified iteration (an
// infrastructure error counted as the bug, a bug missed) fails the test, not only a wrong rate.
import type { ExecutionContext } from 'ava';
import type { IterationResult } from '../../harness/scenario/events.ts';
import { type QuirkSettings, quirkFires, type SimSettings } from '../../sim/quirks.ts';
import { runOnSim, type SimRun } from './run-on-sim.ts';

export const ENDPOINT_QUIRK = 'xpc-endpoint-lost-on-upgrade';
/** The seed of the 100-iteration rate run, shared by the boot-fail run that compares with it. */
export const RATE_SEED = 2026;

/**
 * The outcome the dice give iteration `n` (VM `sxl-<run>-<n>`): `tart run` fails when boot-fail's
 * first roll for the VM fires; otherwise the upgrade loses the endpoint when the quirk's first roll
 * in the guest does (one upgrade per iteration).
 */
export function dicedOutcome(settings: SimSettings, n: number): IterationResult['outcome'] {
  if (quirkFires(settings, `#${n}`, 'boot-fail', 0)) return 'error';
  return quirkFires(settings, `#${n}`, ENDPOINT_QUIRK, 0) ? 'fail' : 'pass';
}

export function simSettings(seed: number, quirks: QuirkSettings): SimSettings {
  return { seed, quirks, timeScale: 0 };
}

/**
 * Runs upgrade-xpc `iterations` times under `seed` and `quirks` (evidence off: these runs are about
 * the numbers) and checks that every iteration ended as the dice say.
 */
export async function runDicedUpgrades(
  t: ExecutionContext,
  options: { seed: number; quirks: QuirkSettings; iterations: number },
): Promise<SimRun> {
  const { seed, quirks, iterations } = options;
  const run = await runOnSim('upgrade-xpc', { repeat: iterations, seed, quirks, evidence: 'never' });
  const settings = simSettings(seed, quirks);
  t.deepEqual(
    run.results.map((r) => r.outcome),
    run.results.map((r) => dicedOutcome(settings, r.iteration)),
    `outcomes of seed ${seed}`,
  );
  return run;
}
