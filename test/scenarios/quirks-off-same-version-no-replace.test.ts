import test from 'ava';
import { QUIRKS_OFF_ITERATIONS, quirksOff } from './quirks-off.ts';

test(`same-version-no-replace: ${QUIRKS_OFF_ITERATIONS} iterations with every quirk off, no failure, the first build runs in each`, async (t) => {
  const run = await quirksOff(t, 'same-version-no-replace');
  t.true(run.results.every((r) => r.findings?.['running-binary'] === 'the first build'));
  t.deepEqual(run.summary.scenarios[0]?.findings, {
    'running-binary': { 'the first build': QUIRKS_OFF_ITERATIONS },
    // With every quirk off the UI approves: no iteration is labelled "approval bypassed".
    'approval-strategy': { ui: QUIRKS_OFF_ITERATIONS },
  });
});
