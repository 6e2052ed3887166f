// Issue 9, point 1, and issue 10's approval strategies: an approval automation without effect is
// the harness's failure, never a reproduction. With approval-ui-ignored=1 the default `auto` falls
// back to the database (SIP off on the sim's images) and labels every iteration "approval bypassed";
// with `ui` forced each iteration is ApprovalAutomationError (test/harness/macos/approve-extension
// .test.ts); sysextd's refusal alone is report 3.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runOnSim } from './run-on-sim.ts';

const ITERATIONS = 2;

for (const scenario of [
  'activation-location',
  'upgrade-xpc',
  'sleep-wake-flows',
  'same-version-no-replace',
  'filter-sleep-wake',
]) {
  test(`approval-ui-ignored=1 under --approval auto: every ${scenario} iteration falls back to the database and is labelled bypassed`, async (t) => {
    t.timeout(240_000);
    const run = await runOnSim(scenario, {
      repeat: ITERATIONS,
      seed: 5,
      quirks: { 'approval-ui-ignored': 1 },
    });
    t.is(run.results.length, ITERATIONS, run.console);
    for (const r of run.results) {
      t.is(r.outcome, 'pass', r.message);
      t.like(r.findings, { 'approval-strategy': 'database', approval: 'database (bypassed)' });
    }
    t.like(run.summary.scenarios[0], {
      fail: 0,
      error: 0,
      findings: { approval: { 'database (bypassed)': ITERATIONS } },
    });
    t.regex(run.console, new RegExp(`\\n  approval: ${ITERATIONS} database \\(bypassed\\)\\n`));
    t.regex(readFileSync(join(run.runDir, 'junit.xml'), 'utf8'), /approval: database \(bypassed\)/);
  });

  test(`approval-ui-ignored=1 under --approval ui: every ${scenario} iteration is an ApprovalAutomationError with the UI tree and a PNG, none a failure`, async (t) => {
    t.timeout(240_000);
    const run = await runOnSim(scenario, {
      repeat: ITERATIONS,
      seed: 5,
      quirks: { 'approval-ui-ignored': 1 },
      approval: 'ui',
    });
    t.is(run.results.length, ITERATIONS, run.console);
    for (const r of run.results) {
      t.is(r.outcome, 'error', r.message);
      t.is(r.errorType, 'ApprovalAutomationError', r.message);
      const evidence = r.artifacts.filter((file) =>
        file.includes(`${join('iterations', String(r.iteration), 'evidence')}`),
      );
      t.true(
        evidence.some((file) => /ui-tree/.test(file)),
        evidence.join(', '),
      );
      const png = evidence.find((file) => file.endsWith('.png'));
      t.truthy(png, evidence.join(', '));
      if (png) t.is(readFileSync(join(run.runDir, png)).subarray(1, 4).toString(), 'PNG');
    }
    t.like(run.summary.scenarios[0], { fail: 0, otherFailures: 0, error: ITERATIONS });
    t.is(run.exitCode, 3, run.console);
  });
}

test('approval-ui-ignored=1 on an image with SIP on, under --approval auto: no fallback is possible, every scenario is ApprovalAutomationError, none a failure', async (t) => {
  t.timeout(300_000);
  for (const scenario of [
    'activation-location',
    'upgrade-xpc',
    'sleep-wake-flows',
    'same-version-no-replace',
    'filter-sleep-wake',
  ]) {
    const run = await runOnSim(scenario, {
      repeat: 1,
      seed: 5,
      quirks: { 'approval-ui-ignored': 1, 'sip-enabled': 1 },
      evidence: 'never',
    });
    const [r] = run.results;
    t.like(r, { outcome: 'error', errorType: 'ApprovalAutomationError' }, `${scenario}: ${r?.message}`);
    t.regex(
      r?.message ?? '',
      /\(still \[activated waiting for user\]\): 2 System Settings attempt\(s\) and sysextd refused nothing; .*then database approval: needs SIP off; csrutil status: System Integrity Protection status: enabled\.$/,
    );
    t.like(run.summary.scenarios[0], { fail: 0, otherFailures: 0, error: 1 }, scenario);
    t.is(run.exitCode, 3, scenario);
  }
});

test('every quirk off under --approval auto: the UI approves, nothing is labelled bypassed', async (t) => {
  t.timeout(240_000);
  const run = await runOnSim('upgrade-xpc', { repeat: ITERATIONS, seed: 5 });
  t.is(run.exitCode, 0, run.console);
  for (const r of run.results) {
    t.is(r.findings?.['approval-strategy'], 'ui');
    t.is(r.findings?.approval, undefined);
  }
});

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
