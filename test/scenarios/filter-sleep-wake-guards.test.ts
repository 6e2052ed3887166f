// Issue 9's rule holds for filter-sleep-wake (issue 14) as for sleep-wake-flows: a sleep, wake or
// suspend the harness could not prove is an error typed by its cause, never a failure, also when
// the forum bug is on at the same time (the bug then has no proven wake to count on). Both
// providers, since each runs its own check.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runOnSim } from './run-on-sim.ts';

const BUG = { 'filter-flows-stop-after-wake': 1 };

for (const provider of ['content-filter', 'dns-proxy'] as const) {
  test(`darkwake-only=1, ${provider}: every cycle is NoFullWakeError (or NoSleepError), none a failure, with the bug on too`, async (t) => {
    t.timeout(180_000);
    const run = await runOnSim('filter-sleep-wake', {
      repeat: 2,
      seed: 4,
      quirks: { 'darkwake-only': 1, ...BUG },
      inputs: { provider, 'deadline-ms': '1000' },
    });
    t.is(run.exitCode, 3, run.console);
    for (const r of run.results) {
      t.is(r.outcome, 'error', r.message);
      t.true(['NoFullWakeError', 'NoSleepError'].includes(r.errorType ?? ''), `${r.errorType}: ${r.message}`);
      t.regex(r.message ?? '', /^No (full wake|sleep happened) on sxl-/);
      t.not(r.matchesSignature, true);
      t.true(r.steps.find((s) => s.name === 'check flows before sleep')?.ok);
    }
    t.like(run.summary.scenarios[0], { pass: 0, fail: 0, otherFailures: 0, error: 2 });
  });

  test(`suspend-save-fails=1, ${provider}: every suspend is SuspendFailedError with tart run's words, none a failure`, async (t) => {
    t.timeout(180_000);
    const run = await runOnSim('filter-sleep-wake', {
      repeat: 2,
      seed: 4,
      sleepStrategy: 'suspend',
      quirks: { 'suspend-save-fails': 1, ...BUG },
      inputs: { provider, 'deadline-ms': '1000' },
    });
    t.is(run.exitCode, 3, run.console);
    for (const r of run.results) {
      t.is(r.outcome, 'error', r.message);
      t.is(r.errorType, 'SuspendFailedError', r.message);
      t.regex(
        r.message ?? '',
        /^Suspend of sxl-\S+ did not happen as a snapshot: `.*tart run sxl-\S+ --no-graphics --suspendable --no-clipboard` exited with code 1 without "snapshot created successfully"; its output: .*Failed to suspend the VM: /,
      );
      t.not(r.matchesSignature, true);
      // The check after the resume never ran: nothing was restored to check.
      t.false(r.steps.some((s) => /^check flows after/.test(s.name)));
    }
    t.like(run.summary.scenarios[0], { pass: 0, fail: 0, otherFailures: 0, error: 2 });
    const evidence = readFileSync(
      join(run.runDir, 'iterations', '1', 'evidence', 'tart-run-suspend.log'),
      'utf8',
    );
    t.regex(evidence, /^Failed to suspend the VM: /m);
  });
}
