// How many iterations `bisect` spends against testing every build to the same verdict, on the sim:
// `make bench` (or `npx tsx bench/bisect.ts [seed]`). Six builds of upgrade-xpc whose own fault rate
// jumps from 0 to 60% at 1.4, threshold 20%, each step until its sequential test decides (max 40).
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bisect, orderedBuilds } from '../harness/commands/bisect-command.ts';
import { findScenario } from '../scenarios/index.ts';
import { makeVersionBuild } from '../sim/builds/make-sample-builds.ts';
import { benchRoot, removeSim, simRun } from './sim-run.ts';

const seed = Number(process.argv[2] ?? 11);
const scenario = findScenario('upgrade-xpc');
if (!scenario) throw new Error('upgrade-xpc is not a scenario');
const dir = mkdtempSync(join(benchRoot(), 'sxl-bench-bisect-'));
for (const version of ['1.1', '1.2', '1.3']) await makeVersionBuild(dir, version);
for (const version of ['1.4', '1.5', '1.6']) {
  await makeVersionBuild(dir, version, { 'xpc-endpoint-lost-on-upgrade': 0.6 });
}
const threshold = 0.2;
const max = 40;

/** One step on its own simulated Mac, removed once its counts are read (SXL_BENCH_KEEP=1 keeps it). */
async function step(...args: Parameters<typeof simRun>): ReturnType<typeof simRun> {
  const outcome = await simRun(...args);
  removeSim(outcome.tartHome);
  return outcome;
}

const report = await bisect({
  scenario,
  buildsDir: dir,
  threshold,
  max,
  run: (inputs, repetition, index) =>
    step('upgrade-xpc', { seed: seed + index, inputs, repetition, evidence: 'never' }),
});
// Every build to its own verdict, as a person without bisect would test them.
let everyBuild = 0;
for (const [i, build] of orderedBuilds(dir).entries()) {
  const outcome = await step('upgrade-xpc', {
    seed: seed + i,
    inputs: { to: build.path },
    repetition: { mode: 'until-threshold', max, threshold },
    evidence: 'never',
  });
  everyBuild += outcome.results.length;
}
process.stdout.write(
  `bisect: ${report.sentence} Testing all ${report.builds.length} builds to their verdicts: ${everyBuild} upgrades (${(everyBuild / report.iterationsSpent).toFixed(1)}x as many).\n`,
);
rmSync(dir, { recursive: true, force: true });
process.exitCode = report.firstAbove === '1.4' ? 0 : 1;
