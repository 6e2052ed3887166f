// Issue 9, point 1: an approval automation without effect is the harness's failure, never a
// reproduction. With approval-ui-ignored=1 every iteration of the scenarios that approve is an
// `error` typed ApprovalAutomationError, with its evidence; sysextd's refusal alone is report 3.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runOnSim } from './run-on-sim.ts';

const ITERATIONS = 2;

for (const scenario of [
  'activation-location',
  'upgrade-xpc',
  'sleep-wake-flows',
  'same-version-no-replace',
]) {
  test(`approval-ui-ignored=1: every ${scenario} iteration is an ApprovalAutomationError, none a failure`, async (t) => {
    t.timeout(240_000);
    const run = await runOnSim(scenario, {
      repeat: ITERATIONS,
      seed: 5,
      quirks: { 'approval-ui-ignored': 1 },
    });
    t.is(run.results.length, ITERATIONS, run.console);
    for (const r of run.results) {
      t.is(r.outcome, 'error', r.message);
      t.is(r.errorType, 'ApprovalAutomationError', r.message);
      t.regex(
        r.message ?? '',
        /^Approval automation had no effect on com\.example\.sxl\.app\.proxy \(1\.[01]\/1[01]0\) on \S+ \(still \[activated waiting for user\]\): 2 System Settings attempt\(s\) and sysextd refused nothing/,
      );
    }
    t.like(run.summary.scenarios[0], { fail: 0, error: ITERATIONS });
    t.not(run.exitCode, 1);
    const evidence = readdirSync(join(run.runDir, 'iterations', '1', 'evidence')).sort();
    for (const file of [
      'approval-osascript.txt',
      'approval-screenshot.txt',
      'settings-ui-tree.txt',
      'sysextd-log.txt',
      'systemextensionsctl-list.txt',
    ]) {
      t.true(evidence.includes(file), `${file} in ${evidence.join(', ')}`);
    }
    const evidenceDir = join(run.runDir, 'iterations', '1', 'evidence');
    t.regex(
      readFileSync(join(evidenceDir, 'settings-ui-tree.txt'), 'utf8'),
      /checkbox SXL Transparent Proxy of/,
    );
    t.regex(
      readFileSync(join(evidenceDir, 'systemextensionsctl-list.txt'), 'utf8'),
      /\[activated waiting for user\]/,
    );
    const osascript = readFileSync(join(evidenceDir, 'approval-osascript.txt'), 'utf8');
    t.regex(osascript, /^attempt 1: osascript exit 0\n/);
    t.regex(osascript, /\nattempt 2: osascript exit 0\n/);
    // The screenshot came back from the guest as a file next to the note.
    t.regex(
      readFileSync(join(evidenceDir, 'approval-screenshot.txt'), 'utf8'),
      /^screencapture -x \S+: saved as .*approval-screenshot\.png\n$/,
    );
    t.is(readFileSync(join(evidenceDir, 'approval-screenshot.png')).subarray(1, 4).toString(), 'PNG');
  });
}

test('activation-no-policy=1: activation-location gives only failures that match the signature', async (t) => {
  t.timeout(240_000);
  const run = await runOnSim('activation-location', {
    repeat: ITERATIONS,
    seed: 6,
    quirks: { 'activation-no-policy': 1 },
  });
  t.is(run.exitCode, 1, run.console);
  for (const r of run.results) {
    t.is(r.outcome, 'fail', r.message);
    t.is(r.failedCheck, 'activation-from-applications');
    t.true(r.matchesSignature);
  }
  t.like(run.summary.scenarios[0], { fail: ITERATIONS, error: 0 });
});
