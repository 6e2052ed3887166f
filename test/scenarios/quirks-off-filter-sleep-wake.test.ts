import test from 'ava';
import { QUIRKS_OFF_ITERATIONS, quirksOff } from './quirks-off.ts';

for (const provider of ['content-filter', 'dns-proxy']) {
  test(`filter-sleep-wake (${provider}): ${QUIRKS_OFF_ITERATIONS} iterations with every quirk off, no failure`, async (t) => {
    await quirksOff(t, 'filter-sleep-wake', { inputs: { provider } });
  });
}
