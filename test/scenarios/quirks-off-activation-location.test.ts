import test from 'ava';
import { QUIRKS_OFF_ITERATIONS, quirksOff } from './quirks-off.ts';

test(`activation-location: ${QUIRKS_OFF_ITERATIONS} iterations with every quirk off, no failure`, async (t) => {
  await quirksOff(t, 'activation-location');
});
