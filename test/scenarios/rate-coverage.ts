// Runs upgrade-xpc with the endpoint quirk at 0.2 under several seeds and checks the statistics.
import type { ExecutionContext } from 'ava';
import { wilsonInterval } from '../../harness/stats/wilson.ts';
import { runOnSim } from './run-on-sim.ts';

export const TRUE_RATE = 0.2;
export const ITERATIONS_PER_SEED = 6;

export async function coverageOverSeeds(t: ExecutionContext, seeds: number[]): Promise<void> {
  let pooledFail = 0;
  let pooledN = 0;
  let covering = 0;
  for (const seed of seeds) {
    const run = await runOnSim('upgrade-xpc', {
      repeat: ITERATIONS_PER_SEED,
      seed,
      quirks: { 'xpc-endpoint-lost-on-upgrade': TRUE_RATE },
    });
    const [s] = run.summary.scenarios;
    if (!s) throw new Error('no summary');
    t.is(s.error, 0, run.console);
    t.is(s.otherFailures, 0, run.console);
    t.is(s.pass + s.fail, ITERATIONS_PER_SEED);
    // Every failure is the target bug, named as such.
    for (const r of run.results.filter((r) => r.outcome === 'fail')) {
      t.is(r.failedCheck, 'xpc-endpoint-after-upgrade');
      t.true(r.matchesSignature);
    }
    const [lo, hi] = s.ci95;
    t.deepEqual([lo, hi], Object.values(wilsonInterval(s.fail, s.pass + s.fail)));
    if (lo <= TRUE_RATE && TRUE_RATE <= hi) covering += 1;
    t.log(`seed ${seed}: ${s.sentence}`);
    pooledFail += s.fail;
    pooledN += s.pass + s.fail;
  }
  const pooled = wilsonInterval(pooledFail, pooledN);
  t.log(
    `pooled: ${pooledFail} of ${pooledN}, ci95 [${pooled.lo.toFixed(3)}, ${pooled.hi.toFixed(3)}]; ${covering} of ${seeds.length} seeds cover ${TRUE_RATE}`,
  );
  t.true(pooled.lo <= TRUE_RATE && TRUE_RATE <= pooled.hi, `pooled interval ${pooled.lo}-${pooled.hi}`);
  // At least 8 of 10 over both files: at least 4 of the 5 here.
  t.true(
    covering >= seeds.length - 1,
    `${covering} of ${seeds.length} per-seed intervals contain ${TRUE_RATE}`,
  );
}
