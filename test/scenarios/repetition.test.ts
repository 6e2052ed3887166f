// Issue 4, "Done when": --until-confident stops earlier than a fixed --repeat would for the same
// verdict. The sim's dice are per (seed, iteration), so a fixed --repeat with the same seed runs the
// same first iterations: its verdict is the same, only later.
import test from 'ava';
import { cleanRunsNeeded } from '../../harness/stats/clean-runs.ts';
import { runOnSim } from './run-on-sim.ts';

test.serial(
  'a bug at 0.3: --until-confident stops at the first target failure, well before --max',
  async (t) => {
    t.timeout(180_000);
    const run = await runOnSim('upgrade-xpc', {
      seed: 5,
      quirks: { 'xpc-endpoint-lost-on-upgrade': 0.3 },
      repetition: { mode: 'until-confident', max: 20, threshold: 0.05 },
      // One VM at a time: the run stops exactly where the rule decides (in parallel, the
      // iterations already in flight finish and count too: see the test below).
      parallel: 1,
    });
    const n = run.results.length;
    t.true(n < 20, `${n} iterations`);
    t.is(run.results.at(-1)?.outcome, 'fail');
    t.is(run.results.filter((r) => r.outcome === 'fail').length, 1);
    t.regex(run.console, new RegExp(`stopped after ${n} iteration\\(s\\): verdict reproduced`));
    t.log(`stopped after ${n} of a fixed 20`);
  },
);

test.serial('no bug, threshold 0.3: --until-confident stops after the exact clean-run count', async (t) => {
  t.timeout(180_000);
  const needed = cleanRunsNeeded(0.3);
  const run = await runOnSim('upgrade-xpc', {
    seed: 5,
    repetition: { mode: 'until-confident', max: 20, threshold: 0.3 },
    // One VM at a time: the run stops exactly where the rule decides (in parallel, the
    // iterations already in flight finish and count too: see the test below).
    parallel: 1,
  });
  t.is(run.results.length, needed);
  t.regex(run.console, new RegExp(`stopped after ${needed} iteration\\(s\\): verdict below-threshold`));
  t.regex(run.summary.scenarios[0]?.sentence ?? '', /These 9 clean runs in a row show that it is below 30%/);
});

test.serial('--until-fail stops at the first target failure', async (t) => {
  t.timeout(60_000);
  const run = await runOnSim('upgrade-xpc', {
    seed: 5,
    quirks: { 'xpc-endpoint-lost-on-upgrade': 1 },
    repetition: { mode: 'until-fail', max: 10 },
    // One VM at a time: the run stops exactly where the rule decides (in parallel, the
    // iterations already in flight finish and count too: see the test below).
    parallel: 1,
  });
  t.is(run.results.length, 1);
  t.is(run.exitCode, 1);
});

test.serial(
  '--until-fail on two VMs: no launch after the decision, the iteration in flight counts',
  async (t) => {
    t.timeout(60_000);
    const run = await runOnSim('upgrade-xpc', {
      seed: 5,
      quirks: { 'xpc-endpoint-lost-on-upgrade': 1 },
      repetition: { mode: 'until-fail', max: 10 },
      parallel: 2,
    });
    t.deepEqual(
      run.results.map((r) => `${r.iteration}:${r.outcome}`),
      ['1:fail', '2:fail'],
    );
    t.is(run.summary.scenarios[0]?.fail, 2);
    t.regex(run.console, /stopped after 2 iteration\(s\): the target bug failed/);
  },
);

test.serial('--image a,b runs the matrix with rates per image', async (t) => {
  t.timeout(120_000);
  const images = [
    'ghcr.io/cirruslabs/macos-sequoia-base:latest',
    'ghcr.io/cirruslabs/macos-tahoe-base:latest',
  ];
  const run = await runOnSim('upgrade-xpc', { seed: 5, repeat: 2, image: images[0]!, images });
  t.is(run.exitCode, 0, run.console);
  t.deepEqual(
    run.summary.scenarios.map((s) => [s.image, s.iterations, s.pass]),
    images.map((image) => [image, 2, 2]),
  );
  t.deepEqual(
    run.results.map((r) => r.iteration),
    [1, 2, 3, 4],
  );
});
