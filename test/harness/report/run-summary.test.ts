import test from 'ava';
import { ConsoleReporter } from '../../../harness/report/console-reporter.ts';
import { summarize } from '../../../harness/report/run-summary.ts';
import type { IterationResult, Outcome } from '../../../harness/scenario/events.ts';

function result(iteration: number, outcome: Outcome, extra: Partial<IterationResult> = {}): IterationResult {
  return {
    scenario: 'upgrade-xpc',
    image: 'img',
    iteration,
    vm: `sxl-x-${iteration}`,
    outcome,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    steps: [],
    artifacts: [],
    ...extra,
  };
}

const wording = () => ({ unit: 'upgrades', bug: 'lost the XPC endpoint' });

test('target failures, other failures and errors are counted apart; only the target enters the rate', (t) => {
  const results = [
    ...Array.from({ length: 16 }, (_, i) => result(i + 1, 'pass')),
    ...[17, 18, 19, 20].map((i) =>
      result(i, 'fail', {
        failedCheck: 'xpc-endpoint-after-upgrade',
        matchesSignature: true,
        findings: { 'reboot-probe': i % 2 ? 'recovered' : 'not-recovered' },
      }),
    ),
    result(21, 'fail', { failedCheck: 'extension-activated', matchesSignature: false }),
    result(22, 'error', { errorType: 'HostCommandError' }),
  ];
  const [s] = summarize(results, wording);
  t.like(s, { iterations: 22, pass: 16, fail: 4, otherFailures: 1, error: 1, failureRate: 0.2 });
  t.is(Math.round((s?.ci95[0] ?? 0) * 100), 8);
  t.is(Math.round((s?.ci95[1] ?? 0) * 100), 42);
  t.is(
    s?.sentence,
    '4 of 20 upgrades lost the XPC endpoint: 20% (8%-42%). (1 other failure(s) and 1 error(s) not counted.) To show that a fix brings it below 5% takes 59 clean runs in a row (exact one-sided 95% bound).',
  );
  t.deepEqual(s?.findings, { 'reboot-probe': { recovered: 2, 'not-recovered': 2 } });
});

test('the console prints the counts, the sentence and the findings per image', (t) => {
  let out = '';
  const reporter = new ConsoleReporter({ write: (text) => (out += text), verbose: false, wording });
  reporter.handle({
    type: 'run-started',
    runId: 'r',
    runDir: '/tmp/r',
    scenario: 'upgrade-xpc',
    image: 'a',
    images: ['a', 'b'],
    iterations: 4,
    backend: 'sim',
    at: '',
    repetition: 'until-confident (threshold 5%, max 2)',
  });
  reporter.handle({ type: 'iteration-finished', result: result(1, 'pass', { image: 'a' }) });
  reporter.handle({
    type: 'iteration-finished',
    result: result(2, 'fail', {
      image: 'b',
      failedCheck: 'xpc-endpoint-after-upgrade',
      matchesSignature: true,
      message: 'gone',
      findings: { 'reboot-probe': 'recovered' },
    }),
  });
  reporter.handle({
    type: 'repetition-stopped',
    scenario: 'upgrade-xpc',
    image: 'b',
    iterations: 1,
    reason: 'verdict reproduced',
  });
  reporter.handle({ type: 'run-finished', at: '', exitCode: 1, interrupted: false });
  t.regex(out, /^sysext-lab: upgrade-xpc on a, b \(sim\), until-confident \(threshold 5%, max 2\), run r$/m);
  t.regex(out, /^upgrade-xpc on b: stopped after 1 iteration\(s\): verdict reproduced$/m);
  t.regex(out, /^upgrade-xpc on a: 1 iteration\(s\): 1 passed, 0 failed, 0 error\(s\)\n {2}0 of 1 upgrades/m);
  t.regex(
    out,
    /^upgrade-xpc on b: 1 iteration\(s\): 0 passed, 1 failed, 0 error\(s\)\n {2}1 of 1 upgrades lost the XPC endpoint: 100% \(21%-100%\)/m,
  );
  t.regex(out, /^ {2}reboot-probe: 1 recovered$/m);
});

test('durations (findings named *-ms) are summarised by their spread, not counted value by value', (t) => {
  const results = [120, 40, 4900, 1800].map((ms, i) =>
    result(i + 1, 'pass', { findings: { 'time-to-register-ms': String(ms), 'reboot-probe': 'recovered' } }),
  );
  const [s] = summarize(results, wording);
  t.deepEqual(s?.measurements, { 'time-to-register-ms': { count: 4, min: 40, median: 960, max: 4900 } });
  t.deepEqual(s?.findings, { 'reboot-probe': { recovered: 4 } });
});
