// The console during long waits and at an interrupted end: a heartbeat while a step (or the boot, or
// the evidence) takes long, none once the run ended; a --keep-vm run does not claim its VMs were deleted.
import test from 'ava';
import { ConsoleReporter } from '../../../harness/report/console-reporter.ts';
import { retryUntil } from '../../../harness/retry.ts';

const started = {
  type: 'run-started',
  runId: 'r1',
  runDir: '/tmp/r1',
  scenario: 'upgrade-xpc',
  image: 'img',
  iterations: 1,
  backend: 'sim',
  at: new Date().toISOString(),
} as const;

/** Iteration 1 of 1 began at `at`. */
function iterationStarted(at: Date) {
  return {
    type: 'iteration-started',
    scenario: 'upgrade-xpc',
    image: 'img',
    iteration: 1,
    of: 1,
    vm: 'sxl-r1-1',
    at: at.toISOString(),
  } as never;
}

test('a step that takes long gets heartbeat lines with its elapsed time; they stop with the run', async (t) => {
  let out = '';
  const reporter = new ConsoleReporter({ write: (text) => (out += text), heartbeatMs: 20 });
  reporter.handle(started);
  reporter.handle(iterationStarted(new Date()));
  reporter.handle({
    type: 'step-started',
    iteration: 1,
    step: 'collect sysdiagnose',
    at: new Date().toISOString(),
  });
  await retryUntil(
    async () => {
      if (!/still collect sysdiagnose: \d+\.\d s \(\d+\.\d s into the iteration\)/.test(out))
        throw new Error(out);
    },
    { what: 'a heartbeat', vm: 'sxl-r1-1', timeoutMs: 30_000, intervalMs: 10 },
  );
  reporter.handle({ type: 'run-finished', at: new Date().toISOString(), exitCode: 130, interrupted: true });
  const atEnd = out;
  // Longer than several heartbeats: nothing more may come.
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.is(out, atEnd);
  t.regex(out, /VMs were cleaned up/);
});

test('an interrupted --keep-vm run says its VM was kept, not deleted', (t) => {
  let out = '';
  const reporter = new ConsoleReporter({ write: (text) => (out += text), keepVm: true, heartbeatMs: 0 });
  reporter.handle(started);
  reporter.handle({ type: 'run-finished', at: new Date().toISOString(), exitCode: 130, interrupted: true });
  t.regex(out, /its VM was kept \(--keep-vm\)/);
  t.notRegex(out, /cleaned up|deleted/);
});

test('an iteration held behind an earlier one (--parallel) prints its SSH-up time from the event, not from when it is printed', (t) => {
  let out = '';
  const reporter = new ConsoleReporter({ write: (text) => (out += text), heartbeatMs: 0 });
  reporter.handle(started);
  // The iteration began three minutes ago and SSH answered 1.5 s into it; it prints only now.
  const began = Date.now() - 180_000;
  reporter.handle(iterationStarted(new Date(began)));
  reporter.handle({
    type: 'vm-started',
    iteration: 1,
    vm: 'sxl-r1-1',
    host: '127.64.0.2',
    port: 2222,
    at: new Date(began + 1_500).toISOString(),
  });
  t.regex(out, /sxl-r1-1: SSH up at 127\.64\.0\.2:2222 \(1\.5 s into the iteration\)/);
});
