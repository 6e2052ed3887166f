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
  t.regex(transcript, /tart run sxl-\S+ --no-graphics --suspendable/);
  t.regex(transcript, /sudo -n date -u \d{12}\.\d\d\n {2}-> exit 0/);
});
