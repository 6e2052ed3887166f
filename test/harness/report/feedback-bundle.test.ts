import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { ConfigError } from '../../../harness/errors.ts';
import { createFeedbackBundle } from '../../../harness/report/feedback-bundle.ts';
import { makeRunDir } from './run-dir-fixture.ts';

test('the bundle of a failing run holds report.md with the rate and the command, and the evidence', async (t) => {
  const runDir = makeRunDir();
  const bundle = await createFeedbackBundle(runDir, { out: join(runDir, 'fb.zip') });
  t.is(bundle.iteration, 1);
  t.regex(bundle.notice, /personal/);
  execFileSync('unzip', ['-tq', bundle.path]);
  const listing = execFileSync('unzip', ['-Z1', bundle.path]).toString().trim().split('\n');
  t.deepEqual(listing, [
    'report.md',
    'run.json',
    'summary.json',
    'results.json',
    'junit.xml',
    'iterations/1/evidence/state/systemextensionsctl-list.txt',
    'iterations/1/evidence/unified-log.ndjson',
    'iterations/1/transcript.log',
  ]);
  const report = execFileSync('unzip', ['-p', bundle.path, 'report.md']).toString();
  t.regex(
    report,
    /^# upgrade-xpc: xpc-endpoint-registered fails on macOS 15\.1 \(24B83\) \(1\/2 iterations\)\n/,
  );
  t.regex(report, /sysext-lab run upgrade-xpc --repeat 2 --quirk xpc-endpoint-lost-on-upgrade=1/);
  t.regex(report, /Failure rate 50\.0 %, 95 % interval 9\.5–90\.5 % \(Wilson\)/);
  t.regex(report, /1 of 2 upgrades lost the XPC endpoint: 50% \(9%-91%\)\./);
  t.regex(
    report,
    /sysextd\[88\] bootstrap_look_up com\.example\.sxl\.app\.proxy\.xpc: 1102 \(Unknown service name\)/,
  );
  t.notRegex(report, /routine/);
  t.regex(report, /4\. check XPC endpoint after upgrade — fails here: not registered/);
});

test('asking for an iteration that is not there is a usage error naming the ones that are', async (t) => {
  const runDir = makeRunDir();
  await t.throwsAsync(createFeedbackBundle(runDir, { iteration: 7 }), {
    instanceOf: ConfigError,
    message: /^No iteration 7 in .*: results.json has 1, 2$/,
  });
});

test('the bundle is made from results.json: junit.xml is not read back', async (t) => {
  const runDir = makeRunDir();
  rmSync(join(runDir, 'junit.xml'));
  // An error iteration recorded only in results.json is the one reported, with its type.
  const path = join(runDir, 'results.json');
  const file = JSON.parse(readFileSync(path, 'utf8'));
  file.results[0] = {
    ...file.results[0],
    outcome: 'error',
    failedCheck: undefined,
    matchesSignature: undefined,
    errorType: 'ApprovalAutomationError',
    message: 'Approval had no effect on com.example.sxl.app.proxy',
  };
  writeFileSync(path, JSON.stringify(file));
  const bundle = await createFeedbackBundle(runDir, { out: join(runDir, 'fb.zip') });
  t.is(bundle.iteration, 1);
  t.false(bundle.files.includes('junit.xml'));
  const report = execFileSync('unzip', ['-p', bundle.path, 'report.md']).toString();
  t.regex(report, /^# upgrade-xpc: ApprovalAutomationError errors on macOS 15\.1/);
  t.regex(report, /Iteration 1: error \(ApprovalAutomationError\): Approval had no effect/);
});

test('a run directory without results.json is a usage error that names the file', async (t) => {
  const runDir = makeRunDir();
  rmSync(join(runDir, 'results.json'));
  await t.throwsAsync(createFeedbackBundle(runDir), {
    instanceOf: ConfigError,
    message: /^Not a run directory: .* has no results\.json$/,
  });
});
