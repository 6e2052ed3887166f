// Issue 4, "Done when": with boot-fail=0.2 the rate of the target bug is unchanged and the boot
// failures appear as errors. The sim's dice are per (seed, iteration, quirk), so the same seed with
// and without boot-fail must give the same outcome in every iteration that booted.
import test from 'ava';
import { runOnSim } from './run-on-sim.ts';

const ITERATIONS = 10;

test('boot failures are errors, and the iterations that booted have the outcomes of a run without them', async (t) => {
  t.timeout(240_000);
  const xpc = { 'xpc-endpoint-lost-on-upgrade': 0.2 };
  const plain = await runOnSim('upgrade-xpc', { repeat: ITERATIONS, seed: 23, quirks: xpc });
  const flaky = await runOnSim('upgrade-xpc', {
    repeat: ITERATIONS,
    seed: 23,
    quirks: { ...xpc, 'boot-fail': 0.2 },
  });
  const errors = flaky.results.filter((r) => r.outcome === 'error');
  t.true(errors.length > 0, 'seed 23 rolls at least one boot failure');
  for (const r of errors) {
    t.regex(r.message ?? '', /VZErrorDomain Code=1 "The virtual machine failed to start\."/);
    t.is(r.errorType, 'HostCommandError');
  }
  for (const r of flaky.results.filter((r) => r.outcome !== 'error')) {
    t.is(plain.results[r.iteration - 1]?.outcome, r.outcome, `iteration ${r.iteration}`);
  }
  const [p, f] = [plain.summary.scenarios[0]!, flaky.summary.scenarios[0]!];
  t.is(f.error, errors.length);
  t.is(f.pass + f.fail + f.error, ITERATIONS);
  t.is(p.error, 0);
  // Same dice where it booted: the target failures are a subset of the plain run's, none invented.
  t.true(f.fail <= p.fail);
  t.is(
    f.fail,
    flaky.results.filter((r) => r.outcome === 'fail' && plain.results[r.iteration - 1]?.outcome === 'fail')
      .length,
  );
  t.regex(f.sentence, new RegExp(`\\(${errors.length} error\\(s\\) not counted\\.\\)`));
  t.log(`without boot-fail: ${p.sentence}`);
  t.log(`with boot-fail:    ${f.sentence}`);
});
