// Issue 4, "Done when": activation-location with activation-no-policy=1 fails with the sysextd
// lines in the message, and leaves the evidence a Feedback report needs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runOnSim } from './run-on-sim.ts';

test('activation-no-policy=1: fails the target check with sysextd lines, paths, signing and the list', async (t) => {
  t.timeout(90_000);
  const run = await runOnSim('activation-location', {
    repeat: 1,
    seed: 2,
    quirks: { 'activation-no-policy': 1 },
  });
  t.is(run.exitCode, 1, run.console);
  const [r] = run.results;
  t.is(r?.outcome, 'fail');
  t.is(r?.failedCheck, 'activation-from-applications');
  t.true(r?.matchesSignature);
  const message = r?.message ?? '';
  t.regex(message, /sysextd refused it/);
  t.regex(message, /client activation request for com\.example\.sxl\.app\.proxy/);
  t.regex(message, /no policy, cannot allow apps outside \/Applications/);
  t.regex(message, /app \/Applications\/SXL Sample\.app -> realpath \/Applications\/SXL Sample\.app/);
  t.regex(message, /systemextensionsctl list: 0 extension\(s\)/);
  const evidence = readdirSync(join(run.runDir, 'iterations', '1', 'evidence')).sort();
  // The check's own evidence, beside what evidence collection adds for a failed iteration.
  for (const file of [
    'app-signing.txt',
    'extension-signing.txt',
    'sysextd-log.txt',
    'systemextensionsctl-list.txt',
  ]) {
    t.true(evidence.includes(file), `${file} in ${evidence.join(', ')}`);
  }
  const signing = readFileSync(join(run.runDir, 'iterations', '1', 'evidence', 'app-signing.txt'), 'utf8');
  t.regex(signing, /\$ codesign -dv --verbose=4 '\/Applications\/SXL Sample\.app'/);
  t.regex(signing, /\$ spctl -a -vv '\/Applications\/SXL Sample\.app'/);
});
