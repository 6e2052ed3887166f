// How much earlier --until-confident stops than a fixed --repeat for the same verdict, on the sim:
// `make bench` (or `npx tsx bench/until-confident.ts [fixedRepeat] [seeds]`).
// The sim's dice are per (seed, iteration), so a fixed --repeat with the same seed runs the same
// first iterations and reaches the same verdict, only after all of its iterations.
import { cleanRunsNeeded } from '../harness/stats/clean-runs.ts';
import { verdict } from '../harness/stats/stopping-rule.ts';
import { simRun } from './sim-run.ts';

const fixedRepeat = Number(process.argv[2] ?? 20);
const seeds = Number(process.argv[3] ?? 3);

async function measure(label: string, quirks: Record<string, number>, threshold: number): Promise<void> {
  const used: number[] = [];
  let msPerIteration = 0;
  for (let seed = 1; seed <= seeds; seed += 1) {
    const started = performance.now();
    const outcome = await simRun('upgrade-xpc', {
      seed,
      quirks,
      repetition: { mode: 'until-confident', max: fixedRepeat, threshold },
    });
    msPerIteration = (performance.now() - started) / outcome.results.length;
    used.push(outcome.results.length);
  }
  const mean = used.reduce((a, b) => a + b, 0) / used.length;
  process.stdout.write(
    `${label}: --until-confident stopped after ${used.join(', ')} iteration(s) (mean ${mean.toFixed(1)}) ` +
      `vs --repeat ${fixedRepeat}: ${(fixedRepeat / mean).toFixed(1)}x fewer, about ${(((fixedRepeat - mean) * msPerIteration) / 1000).toFixed(0)} s saved per run at ${msPerIteration.toFixed(0)} ms/iteration\n`,
  );
}

await measure('bug at 20% (verdict: reproduced)', { 'xpc-endpoint-lost-on-upgrade': 0.2 }, 0.05);
const threshold = 0.2;
await measure(
  `no bug, threshold ${threshold * 100}% (verdict: below threshold after ${cleanRunsNeeded(threshold)} clean runs)`,
  {},
  threshold,
);
/**
 * The expected number of iterations --until-confident runs when each fails with probability
 * `rate`, exactly, from the stopping rule itself: the distribution of failures so far, iteration by
 * iteration, until every path has a verdict or `max` is reached.
 */
function expectedIterations(rate: number, threshold: number, max: number): number {
  // open[k]: probability of having run n iterations with k failures and no verdict yet.
  let open = [1];
  let expected = 0;
  for (let n = 0; n < max && open.some((p) => p > 0); n += 1) {
    expected += open.reduce((a, b) => a + b, 0);
    const next = new Array<number>(open.length + 1).fill(0);
    open.forEach((p, k) => {
      next[k + 1]! += p * rate;
      next[k]! += p * (1 - rate);
    });
    open = next.map((p, k) => (verdict({ n: n + 1, failures: k }, threshold) === 'undecided' ? p : 0));
  }
  return expected;
}

// A fixed-size test with the same error rates as --until-confident at 5%: it must also be able to
// say "below 5%" at 95%, which takes cleanRunsNeeded(0.05) runs; --repeat 20 is a weaker test (a 5%
// bug slips through 20 runs with probability 0.95^20).
const fixedRuns = cleanRunsNeeded(0.05);
const expected = expectedIterations(0.2, 0.05, fixedRuns);
process.stdout.write(
  `a 20% bug at threshold 5%: --until-confident stops after ${expected.toFixed(1)} iterations on average (exact, from the stopping rule); a fixed-size test with the same error rates needs ${fixedRuns} runs: ${(fixedRuns / expected).toFixed(1)}x fewer (--repeat ${fixedRepeat} misses a 5% bug with probability ${(0.95 ** fixedRepeat).toFixed(2)})\n`,
);
process.stdout.write(
  `at the default threshold 5% a clean build needs ${cleanRunsNeeded(0.05)} clean runs; a fixed --repeat 100 spends ${100 - cleanRunsNeeded(0.05)} more for the same verdict\n`,
);
