import test from 'ava';
import { QUIRKS_OFF_ITERATIONS, quirksOff } from './quirks-off.ts';

// filter-sleep-wake's other sleep strategy: every quirk off, no failure, and no check after a resume
// named as report 2's (a resumed provider never slept).
for (const provider of ['content-filter', 'dns-proxy']) {
  test(`filter-sleep-wake (${provider}) --sleep-strategy suspend: ${QUIRKS_OFF_ITERATIONS} iterations with every quirk off, no failure`, async (t) => {
    const run = await quirksOff(t, 'filter-sleep-wake', { sleepStrategy: 'suspend', inputs: { provider } });
    const steps = run.results.flatMap((result) => result.steps.map((step) => step.name));
    t.false(
      steps.some((name) => /after wake/.test(name)),
      'no step under suspend claims a wake',
    );
    t.is(steps.filter((name) => name === 'check flows after resume').length, QUIRKS_OFF_ITERATIONS);
    t.is(run.summary.scenarios[0]?.failureRate, null);
  });
}
