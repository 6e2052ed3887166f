import test from 'ava';
import { ConfigError } from '../../harness/errors.ts';
import { QUIRKS_OFF_ITERATIONS, quirksOff } from './quirks-off.ts';
import { runOnSim } from './run-on-sim.ts';

test(`sleep-wake-flows --sleep-strategy suspend: ${QUIRKS_OFF_ITERATIONS} iterations with every quirk off, no failure`, async (t) => {
  const run = await quirksOff(t, 'sleep-wake-flows', { sleepStrategy: 'suspend' });
  // Under suspend the check after the resume is not report 2's: its name must say so.
  const steps = run.results.flatMap((result) => result.steps.map((step) => step.name));
  t.false(
    steps.some((name) => /after wake/.test(name)),
    'no step under suspend claims a wake',
  );
  // A resume cannot show report 2: the summary claims no rate, and its passes are no clean runs.
  t.is(run.summary.scenarios[0]?.failureRate, null);
  t.regex(
    run.summary.scenarios[0]?.sentence ?? '',
    /^No rate of sleep\/wake cycles that lost their flows after a wake: --sleep-strategy suspend cannot show this bug/,
  );
});

test('--until-confident under --sleep-strategy suspend is refused before any VM: it would stop on a rate suspend cannot show', async (t) => {
  const error = await t.throwsAsync(
    runOnSim('sleep-wake-flows', {
      sleepStrategy: 'suspend',
      repetition: { mode: 'until-confident', max: 300, threshold: 0.05 },
    }),
    { instanceOf: ConfigError },
  );
  t.regex(
    error?.message ?? '',
    /--until-confident stops on the rate of "lost their flows after a wake", but --sleep-strategy suspend cannot show this bug/,
  );
});
