// Issue 4, "Done when": sleep-wake-flows detects flows-stop-after-wake, and reports a run where no
// sleep happened as an error, not as the bug.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runOnSim } from './run-on-sim.ts';

test('flows-stop-after-wake=1: every cycle fails the target check, with the log it read', async (t) => {
  t.timeout(90_000);
  const run = await runOnSim('sleep-wake-flows', {
    repeat: 2,
    seed: 4,
    quirks: { 'flows-stop-after-wake': 1 },
    // The sim logs a flow within milliseconds; the default 30 s deadline would only slow the test.
    inputs: { 'deadline-ms': '2000' },
  });
  t.is(run.exitCode, 1, run.console);
  for (const r of run.results) {
    t.is(r.outcome, 'fail');
    t.is(r.failedCheck, 'flows-after-wake');
    t.true(r.matchesSignature);
    t.regex(
      r.message ?? '',
      /^No flows: looked for 1 line\(s\) matching 'process == "com\.example\.sxl\.app\.proxy" AND eventMessage CONTAINS "handleNewFlow"' in the unified log of .* found 0 new/,
    );
    // The steps before the wake passed: logging was persisted, flows were seen before the sleep, and the guest slept.
    t.true(r.steps.find((s) => s.name === 'configure provider logging')?.ok);
    t.true(r.steps.find((s) => s.name === 'check flows before sleep')?.ok);
    t.true(r.steps.find((s) => s.name === 'sleep and wake (guest)')?.ok);
  }
  t.like(run.summary.scenarios[0], { pass: 0, fail: 2, error: 0, failureRate: 1 });
  t.true(existsSync(join(run.runDir, 'iterations', '1', 'evidence', 'log-show-flows.txt')));
  const transcript = readFileSync(join(run.runDir, 'iterations', '1', 'transcript.log'), 'utf8');
  t.regex(transcript, /sudo -n pmset relative wake 30/);
  t.regex(transcript, /sudo -n pmset sleepnow\n {2}-> exit 0/);
  t.regex(
    transcript,
    /sudo -n log config --subsystem com\.example\.sxl\.app\.proxy --mode level:debug,persist:debug\n {2}-> exit 0/,
  );
  // The signature failure keeps the proof that the flow lines were being persisted.
  const logConfig = readFileSync(join(run.runDir, 'iterations', '1', 'evidence', 'log-config.txt'), 'utf8');
  t.regex(logConfig, /Mode for 'com\.example\.sxl\.app\.proxy' {2}DEBUG PERSIST_DEBUG/);
});

test('every quirk off: the provider logs flows at Debug, the configured logging persists them, every cycle passes', async (t) => {
  t.timeout(90_000);
  const run = await runOnSim('sleep-wake-flows', { repeat: 3, seed: 4, quirks: {} });
  t.is(run.exitCode, 0, run.console);
  for (const r of run.results) {
    t.is(r.outcome, 'pass');
    t.true(r.steps.find((s) => s.name === 'configure provider logging')?.ok);
  }
});

test('logging persisted for another subsystem: the Debug flow lines never reach log show, and that is the control failing, not report 2', async (t) => {
  t.timeout(90_000);
  const run = await runOnSim('sleep-wake-flows', {
    repeat: 1,
    seed: 4,
    inputs: { 'deadline-ms': '1000', 'log-subsystem': 'com.example.elsewhere' },
  });
  const [r] = run.results;
  t.is(r?.outcome, 'fail', run.console);
  t.is(r?.failedCheck, 'flows-before-sleep');
  t.false(r?.matchesSignature);
});

test('no-sleep=1: an infrastructure error (NoSleepError) that never counts toward the rate', async (t) => {
  t.timeout(90_000);
  const run = await runOnSim('sleep-wake-flows', { repeat: 2, seed: 4, quirks: { 'no-sleep': 1 } });
  t.is(run.exitCode, 3, run.console);
  for (const r of run.results) {
    t.is(r.outcome, 'error');
    t.is(r.errorType, 'NoSleepError');
    t.regex(
      r.message ?? '',
      /^No sleep happened on sxl-.*: SSH stayed up for \d+ ms after `pmset sleepnow`; No sleep\/wake since .* found no Entering Sleep line/,
    );
  }
  t.like(run.summary.scenarios[0], { pass: 0, fail: 0, error: 2, failureRate: null });
  t.regex(
    run.summary.scenarios[0]?.sentence ?? '',
    /^No sleep\/wake cycles reached a verdict .*\(2 error\(s\) not counted\.\)/,
  );
  const evidence = readdirSync(join(run.runDir, 'iterations', '1', 'evidence'));
  // The check's own evidence, beside what evidence collection adds for a failed iteration.
  t.true(evidence.includes('pmset-g-log.txt'), evidence.join(', '));
});

test('--sleep-strategy suspend: tart suspend + resume, clock set, recorded in run.json', async (t) => {
  t.timeout(90_000);
  const run = await runOnSim('sleep-wake-flows', { repeat: 1, seed: 4, sleepStrategy: 'suspend' });
  t.is(run.exitCode, 0, run.console);
  const manifest = JSON.parse(readFileSync(join(run.runDir, 'run.json'), 'utf8'));
  t.is(manifest.sleepStrategy, 'suspend');
  const transcript = readFileSync(join(run.runDir, 'iterations', '1', 'transcript.log'), 'utf8');
  t.regex(transcript, /tart suspend sxl-/);
  t.regex(transcript, /tart run sxl-\S+ --no-graphics --suspendable --no-clipboard/);
  t.regex(transcript, /sudo -n date -u \d{12}\.\d\d\n {2}-> exit 0/);
  // The resume is proven before the check: tart's own lines and the same boot.
  t.regex(
    transcript,
    /resumed sxl-\S+ from its snapshot \(kern\.boottime unchanged: \{ sec = \d+, usec = \d+ \} /,
  );
  const log = readFileSync(join(run.runDir, 'iterations', '1', 'tart-run.log'), 'utf8');
  t.regex(
    log,
    /snapshot created successfully! shutting down the VM\.\.\.\n[\s\S]*restoring VM state from a snapshot\.\.\.\nresuming VM\.\.\./,
  );
  // After a resume the provider never slept: the check is not report 2's.
  const steps = run.results[0]?.steps.map((s) => s.name) ?? [];
  t.true(steps.includes('check flows after resume'), steps.join(', '));
  t.false(steps.includes('check flows after wake'));
});

test("suspend-save-fails=1: every suspend is an error (SuspendFailedError) with tart run's words, never the bug", async (t) => {
  t.timeout(90_000);
  const run = await runOnSim('sleep-wake-flows', {
    repeat: 2,
    seed: 4,
    sleepStrategy: 'suspend',
    quirks: { 'suspend-save-fails': 1 },
  });
  t.is(run.exitCode, 3, run.console);
  for (const r of run.results) {
    t.is(r.outcome, 'error');
    t.is(r.errorType, 'SuspendFailedError');
    t.regex(
      r.message ?? '',
      /^Suspend of sxl-\S+ did not happen as a snapshot: `.*tart run sxl-\S+ --no-graphics --suspendable --no-clipboard` exited with code 1 without "snapshot created successfully"; its output: .*Failed to suspend the VM: Invalid virtual machine configuration\. Unsupported console device in configuration\./,
    );
  }
  t.like(run.summary.scenarios[0], { pass: 0, fail: 0, otherFailures: 0, error: 2 });
  const evidence = readFileSync(
    join(run.runDir, 'iterations', '1', 'evidence', 'tart-run-suspend.log'),
    'utf8',
  );
  t.regex(evidence, /^Failed to suspend the VM: /m);
});

test('darkwake-only=1: a wake that is only a DarkWake is an error (NoFullWakeError), never the bug', async (t) => {
  t.timeout(90_000);
  const run = await runOnSim('sleep-wake-flows', {
    repeat: 2,
    seed: 4,
    quirks: { 'darkwake-only': 1 },
    inputs: { 'deadline-ms': '2000' },
  });
  t.is(run.exitCode, 3, run.console);
  for (const r of run.results) {
    t.is(r.outcome, 'error');
    t.true(['NoFullWakeError', 'NoSleepError'].includes(r.errorType ?? ''), `${r.errorType}: ${r.message}`);
    t.regex(r.message ?? '', /^No (full wake|sleep happened) on sxl-/);
    t.true(r.steps.find((s) => s.name === 'check flows before sleep')?.ok);
  }
  t.like(run.summary.scenarios[0], { pass: 0, fail: 0, otherFailures: 0, error: 2 });
});

test('guest strategy: user activity declared after the wake and the guest held awake during the check', async (t) => {
  t.timeout(90_000);
  const run = await runOnSim('sleep-wake-flows', { repeat: 1, seed: 4 });
  t.is(run.exitCode, 0, run.console);
  const transcript = readFileSync(join(run.runDir, 'iterations', '1', 'transcript.log'), 'utf8');
  t.regex(transcript, /caffeinate -u -t 2\n {2}-> exit 0/);
  t.regex(transcript, /caffeinate -dis -t 300/);
  // pmset -g log is read again after the check: after the caffeinate hold.
  t.regex(transcript, /caffeinate -dis -t 300[\s\S]*pmset -g log/);
});
