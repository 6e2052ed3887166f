import test from 'ava';
import { QUIRKS_OFF_ITERATIONS, quirksOff } from './quirks-off.ts';

test(`sleep-wake-flows: ${QUIRKS_OFF_ITERATIONS} iterations with every quirk off, no failure`, async (t) => {
  await quirksOff(t, 'sleep-wake-flows');
});
