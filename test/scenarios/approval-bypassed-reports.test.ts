// Issue 10: iterations approved through sysextd's database skip what a user does, so every report
// says so: summary.json, results.json, the console and junit.xml (approval-outcome.test.ts), and
// here report.html's row and the Feedback bundle's report.md. An approval through the UI says nothing.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { createFeedbackBundle } from '../../harness/report/feedback-bundle.ts';
import { runOnSim } from './run-on-sim.ts';

const BYPASSED = 'approval: database (bypassed)';

async function reportMd(runDir: string, iteration: number): Promise<string> {
  const out = join(runDir, `fb-${iteration}.zip`);
  await createFeedbackBundle(runDir, { iteration, out });
  return execFileSync('unzip', ['-p', out, 'report.md']).toString();
}

for (const [name, quirks, bypassed] of [
  ['approval-ui-ignored=1: the database approval', { 'approval-ui-ignored': 1 }, true],
  ['every quirk off: the UI approval', {}, false],
] as const) {
  test(`${name} is ${bypassed ? '' : 'not '}labelled in report.html and the Feedback report`, async (t) => {
    t.timeout(240_000);
    const run = await runOnSim('upgrade-xpc', { repeat: 1, seed: 5, quirks });
    t.is(run.exitCode, 0, run.console);
    const html = readFileSync(join(run.runDir, 'report.html'), 'utf8');
    const row = /<tr class="pass">.*?<\/tr>/.exec(html)?.[0] ?? '';
    t.truthy(row, html);
    const md = await reportMd(run.runDir, 1);
    if (bypassed) {
      t.true(row.includes(`<b>${BYPASSED}</b>`), row);
      t.regex(md, /\n## Actual\n\nIteration 1: pass.*\n\nApproval: database \(bypassed\)\.\n/);
    } else {
      t.false(row.includes('approval:'), row);
      t.notRegex(md, /Approval:/);
    }
  });
}
