// How much earlier --until-confident stops than a fixed --repeat for the same verdict, on the sim:
// `make bench` (or `npx tsx bench/until-confident.ts [fixedRepeat] [seeds]`).
// The sim's dice are per (seed, iteration), so a fixed --repeat with the same seed runs the same
// first iterations and reaches the same verdict, only after all of its iterations.
import { cleanRunsNeeded } from '../harness/stats/clean-runs.ts';
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
process.stdout.write(
  `at the default threshold 5% a clean build needs ${cleanRunsNeeded(0.05)} clean runs; a fixed --repeat 100 spends ${100 - cleanRunsNeeded(0.05)} more for the same verdict\n`,
);
