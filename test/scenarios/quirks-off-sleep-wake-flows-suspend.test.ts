import test from 'ava';
import { QUIRKS_OFF_ITERATIONS, quirksOff } from './quirks-off.ts';

test(`sleep-wake-flows --sleep-strategy suspend: ${QUIRKS_OFF_ITERATIONS} iterations with every quirk off, no failure`, async (t) => {
  const run = await quirksOff(t, 'sleep-wake-flows', { sleepStrategy: 'suspend' });
  // Under suspend the check after the resume is not report 2's: its name must say so.
  const steps = run.results.flatMap((result) => result.steps.map((step) => step.name));
  t.false(
    steps.some((name) => /after wake/.test(name)),
    'no step under suspend claims a wake',
  );
});
