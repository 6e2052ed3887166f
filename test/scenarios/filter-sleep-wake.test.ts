// Issue 14: the content-filter / DNS-proxy variant of sleep-wake detects filter-flows-stop-after-wake
// for either provider and counts it only as the signature (its rate: filter-sleep-wake-rate.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runOnSim } from './run-on-sim.ts';

const QUIRK = 'filter-flows-stop-after-wake';

for (const [provider, flow] of [
  ['content-filter', 'handleNewFlow TCP'],
  ['dns-proxy', 'handleNewFlow UDP'],
] as const) {
  test(`${QUIRK}=1, ${provider}: every cycle fails the signature check, with the log it read`, async (t) => {
    t.timeout(120_000);
    const run = await runOnSim('filter-sleep-wake', {
      repeat: 2,
      seed: 4,
      quirks: { [QUIRK]: 1 },
      // The sim logs a flow within milliseconds; the default 30 s deadline would only slow the test.
      inputs: { provider, 'deadline-ms': '1000' },
    });
    t.is(run.exitCode, 1, run.console);
    for (const r of run.results) {
      t.is(r.outcome, 'fail', r.message);
      t.is(r.failedCheck, 'flows-after-wake');
      t.true(r.matchesSignature);
      t.regex(
        r.message ?? '',
        new RegExp(
          `^No flows: looked for 1 line\\(s\\) matching 'process == "com\\.example\\.sxl\\.filter\\.provider" AND eventMessage CONTAINS "${flow}"' in the unified log of .* found 0 new`,
        ),
      );
      t.true(r.steps.find((s) => s.name === `launch app to enable the ${provider}`)?.ok);
      t.true(r.steps.find((s) => s.name === 'check flows before sleep')?.ok);
      t.true(r.steps.find((s) => s.name === 'sleep and wake (guest)')?.ok);
    }
    t.like(run.summary.scenarios[0], { pass: 0, fail: 2, error: 0, failureRate: 1 });
    const evidence = readFileSync(
      join(run.runDir, 'iterations', '1', 'evidence', 'log-show-flows.txt'),
      'utf8',
    );
    t.regex(evidence, /log show/);
    const transcript = readFileSync(join(run.runDir, 'iterations', '1', 'transcript.log'), 'utf8');
    // The DNS proxy's checks flush the resolver cache first; the filter's do not need to.
    t.is(/sudo -n killall -HUP mDNSResponder\n {2}-> exit 0/.test(transcript), provider === 'dns-proxy');
  });
}

test('every quirk off, both providers: the provider starts, sees flows before and after the wake, every cycle passes', async (t) => {
  t.timeout(120_000);
  for (const provider of ['content-filter', 'dns-proxy']) {
    const run = await runOnSim('filter-sleep-wake', { repeat: 2, seed: 4, inputs: { provider } });
    t.is(run.exitCode, 0, run.console);
    for (const r of run.results) t.is(r.outcome, 'pass', r.message);
  }
});

test('--sleep-strategy suspend, DNS proxy: the check after the resume is not the signature, and passes with the cache flushed', async (t) => {
  t.timeout(120_000);
  const run = await runOnSim('filter-sleep-wake', {
    repeat: 1,
    seed: 4,
    sleepStrategy: 'suspend',
    inputs: { provider: 'dns-proxy' },
  });
  t.is(run.exitCode, 0, run.console);
  const steps = run.results[0]?.steps.map((s) => s.name) ?? [];
  t.true(steps.includes('check flows after resume'), steps.join(', '));
  t.false(steps.includes('check flows after wake'));
});
