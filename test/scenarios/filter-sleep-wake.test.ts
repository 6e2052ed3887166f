// Issue 14: the content-filter / DNS-proxy variant of sleep-wake detects filter-flows-stop-after-wake
// for either provider, counts it only as the signature, and its rate follows the seeded dice.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { quirkFires } from '../../sim/quirks.ts';
import { runOnSim } from './run-on-sim.ts';
import { simSettings } from './seeded-dice.ts';
import { sized } from './test-size.ts';

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

test('the flow-stop quirk at 0.3: each cycle fails exactly when the dice say, and the rate is counted from them', async (t) => {
  const iterations = sized(60, 12);
  t.timeout(60_000 + iterations * 5_000);
  const seed = 2026;
  const quirks = { [QUIRK]: 0.3 };
  const run = await runOnSim('filter-sleep-wake', {
    repeat: iterations,
    seed,
    quirks,
    evidence: 'never',
    inputs: { 'deadline-ms': '1000' },
  });
  const settings = simSettings(seed, quirks);
  // One wake per cycle; the content filter is the first running provider, so its roll is the first.
  const diced = run.results.map((r) => (quirkFires(settings, `#${r.iteration}`, QUIRK, 0) ? 'fail' : 'pass'));
  t.deepEqual(
    run.results.map((r) => r.outcome),
    diced,
  );
  const fails = diced.filter((o) => o === 'fail').length;
  t.true(fails > 0 && fails < iterations, `the dice of seed ${seed} give ${fails} of ${iterations}`);
  t.like(run.summary.scenarios[0], {
    fail: fails,
    pass: iterations - fails,
    failureRate: fails / iterations,
  });
});
