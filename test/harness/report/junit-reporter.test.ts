import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { JUNIT_REWRITE_INTERVAL_MS, JUnitReporter } from '../../../harness/report/junit-reporter.ts';
import type { IterationResult } from '../../../harness/scenario/events.ts';
import { validateJUnit } from '../../helpers/xmllint.ts';

function result(
  iteration: number,
  outcome: IterationResult['outcome'],
  extra: Partial<IterationResult> = {},
): IterationResult {
  return {
    scenario: 'upgrade-xpc',
    image: 'ghcr.io/cirruslabs/macos-sequoia-base:latest',
    iteration,
    vm: `sxl-run-${iteration}`,
    outcome,
    startedAt: '2026-11-27T10:00:00.000Z',
    durationMs: 1234 + iteration,
    steps: [
      {
        name: 'install old build',
        startedAt: '2026-11-27T10:00:01.000Z',
        durationMs: 100,
        ok: outcome === 'pass',
      },
    ],
    artifacts: [],
    ...extra,
  };
}

function reporterIn(dir: string) {
  return new JUnitReporter(dir, {
    runId: 'run-1',
    backend: 'sim',
    backendProperties: { seed: '7', quirks: 'xpc-endpoint-lost-on-upgrade=0.2' },
    builds: { from: '/builds/SXL Sample 1.0.pkg sha256:ab', to: '/builds/[T] TEXT.pkg sha256:cd' },
  });
}

test('pass, fail and error iterations give a schema-valid junit.xml with the right elements', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-junit-'));
  mkdirSync(join(dir, 'iterations', '2'), { recursive: true });
  // Transcripts carry raw guest output: control characters and CDATA terminators must not break the XML.
  writeFileSync(
    join(dir, 'iterations', '2', 'transcript.log'),
    '$ launchctl print\n  | \u0007bell ]]> <tag> & "q"\n',
  );
  const reporter = reporterIn(dir);
  reporter.handle({ type: 'iteration-finished', result: result(1, 'pass') });
  reporter.handle({
    type: 'iteration-finished',
    result: result(2, 'fail', {
      failedCheck: 'xpc-endpoint-after-upgrade',
      matchesSignature: true,
      message:
        'XPC endpoint missing: system/NetworkExtension.com.example.sxl.app.proxy.1.1.110 has no endpoints block',
    }),
  });
  reporter.handle({
    type: 'iteration-finished',
    result: result(3, 'error', {
      message: 'Interrupted by SIGINT during the iteration',
      errorType: 'InterruptedError',
    }),
  });
  t.is(validateJUnit(reporter.path), null);
  reporter.handle({ type: 'run-finished', at: '2026-11-27T10:05:00.000Z', exitCode: 1, interrupted: false });
  const xml = readFileSync(reporter.path, 'utf8');
  t.regex(
    xml,
    /<testsuite name="upgrade-xpc @ ghcr.io\/cirruslabs\/macos-sequoia-base:latest"[^>]* tests="3" failures="1" errors="1"/,
  );
  t.regex(
    xml,
    /<failure message="XPC endpoint missing: system\/NetworkExtension.com.example.sxl.app.proxy.1.1.110 has no endpoints block" type="xpc-endpoint-after-upgrade"/,
  );
  t.regex(xml, /<error message="Interrupted by SIGINT during the iteration" type="InterruptedError"/);
  for (const property of ['backend', 'image', 'seed', 'quirks', 'build.from', 'build.to']) {
    t.regex(xml, new RegExp(`<property name="${property.replace('.', '\\.')}" value="[^"]+"/>`));
  }
  t.regex(xml, /step FAIL install old build/);
});

test('an empty run still writes a valid file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-junit-'));
  const reporter = reporterIn(dir);
  reporter.write();
  t.is(validateJUnit(reporter.path), null);
});

test('the schema check itself rejects an invalid file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-junit-'));
  const path = join(dir, 'bad.xml');
  writeFileSync(path, '<testsuites><testsuite name="x"><testcase/></testsuite></testsuites>');
  t.not(validateJUnit(path), null);
});

test('suite properties carry the counts, the interval and the sentence per scenario and image', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-junit-'));
  const reporter = new JUnitReporter(dir, {
    runId: 'run-2',
    backend: 'sim',
    builds: {},
    sleepStrategy: 'guest',
    wording: () => ({ unit: 'upgrades', bug: 'lost the XPC endpoint' }),
  });
  const fail = { failedCheck: 'xpc-endpoint-after-upgrade', matchesSignature: true, message: 'gone' };
  for (let i = 1; i <= 16; i += 1) reporter.handle({ type: 'iteration-finished', result: result(i, 'pass') });
  for (let i = 17; i <= 20; i += 1) {
    reporter.handle({
      type: 'iteration-finished',
      result: result(i, 'fail', { ...fail, findings: { 'reboot-probe': 'recovered' } }),
    });
  }
  reporter.handle({ type: 'iteration-finished', result: result(21, 'pass', { image: 'other' }) });
  t.is(validateJUnit(reporter.path), null);
  reporter.handle({ type: 'run-finished', at: '2026-11-27T10:05:00.000Z', exitCode: 1, interrupted: false });
  const xml = readFileSync(reporter.path, 'utf8');
  t.regex(xml, /<property name="fail" value="4"\/>/);
  t.regex(xml, /<property name="other-failures" value="0"\/>/);
  t.regex(xml, /<property name="ci95" value="\[0\.0807, 0\.4160\]"\/>/);
  t.regex(xml, /<property name="sleep-strategy" value="guest"\/>/);
  t.regex(xml, /<property name="reboot-probe\.recovered" value="4"\/>/);
  t.regex(
    xml,
    /<property name="summary" value="4 of 20 upgrades lost the XPC endpoint: 20% \(8%-42%\)\. To show that a fix brings it below 5% takes 59 clean runs in a row \(exact one-sided 95% bound\)\."\/>/,
  );
  t.regex(xml, /<property name="summary" value="0 of 1 upgrades/);
});

test('while iterations finish the file is rewritten at most once a second; the end of the run always writes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-junit-'));
  const reporter = reporterIn(dir);
  const testcases = () => (readFileSync(reporter.path, 'utf8').match(/<testcase /g) ?? []).length;
  reporter.handle({ type: 'iteration-finished', result: result(1, 'pass') });
  t.is(testcases(), 1);
  reporter.handle({ type: 'iteration-finished', result: result(2, 'pass') });
  reporter.handle({ type: 'iteration-finished', result: result(3, 'pass') });
  t.is(testcases(), 1);
  // The deferred rewrite comes within the interval, with every iteration so far.
  await new Promise((resolve) => setTimeout(resolve, JUNIT_REWRITE_INTERVAL_MS + 200));
  t.is(testcases(), 3);
  reporter.handle({ type: 'iteration-finished', result: result(4, 'pass') });
  reporter.handle({ type: 'iteration-finished', result: result(5, 'fail', { message: 'boom' }) });
  reporter.handle({ type: 'run-finished', at: '2026-11-27T10:05:00.000Z', exitCode: 1, interrupted: true });
  t.is(testcases(), 5);
});

test('a passing iteration points at its transcript; a failing one carries it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-junit-'));
  for (const n of [1, 2]) {
    mkdirSync(join(dir, 'iterations', String(n)), { recursive: true });
    writeFileSync(join(dir, 'iterations', String(n), 'transcript.log'), `$ transcript of ${n}\n`);
  }
  const reporter = reporterIn(dir);
  reporter.handle({ type: 'iteration-finished', result: result(1, 'pass') });
  reporter.handle({ type: 'iteration-finished', result: result(2, 'fail', { message: 'boom' }) });
  reporter.write();
  const xml = readFileSync(reporter.path, 'utf8');
  t.regex(xml, /transcript: iterations\/1\/transcript.log/);
  t.notRegex(xml, /transcript of 1/);
  t.regex(xml, /--- transcript ---\n\$ transcript of 2/);
});

test('junit.xml is green only when the run is: running, interrupted and crashed runs carry an error testcase', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-junit-'));
  const counts = () => {
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    t.is(validateJUnit(join(dir, 'junit.xml')), null);
    const tag = /<testsuites\b[^>]*>/.exec(xml)?.[0] ?? '';
    return { errors: /errors="(\d+)"/.exec(tag)?.[1], tests: /tests="(\d+)"/.exec(tag)?.[1], xml };
  };
  const started = {
    type: 'run-started',
    runId: 'run-1',
    runDir: dir,
    scenario: 'upgrade-xpc',
    image: 'ghcr.io/cirruslabs/macos-sequoia-base:latest',
    iterations: 3,
    backend: 'sim',
    at: '2026-11-27T10:00:00.000Z',
  } as const;
  const end = (exitCode: number, interrupted: boolean) =>
    ({ type: 'run-finished', at: '2026-11-27T10:01:00.000Z', exitCode, interrupted }) as const;
  // While it runs (and if the harness is killed now): not green.
  const running = reporterIn(dir);
  running.handle(started);
  t.like(counts(), { errors: '1', tests: '1' });
  t.regex(counts().xml, /upgrade-xpc run incomplete.*has not finished: 0 iteration\(s\) recorded so far/s);
  running.handle({ type: 'iteration-finished', result: result(1, 'pass') });
  running.handle(end(130, true));
  t.like(counts(), { errors: '1', tests: '2' });
  t.regex(counts().xml, /was interrupted \(exit code 130\) after 1 iteration\(s\) of 3 planned/);
  // A crash after passing iterations (exit 3): not green either.
  const crashed = reporterIn(dir);
  crashed.handle(started);
  crashed.handle({ type: 'iteration-finished', result: result(1, 'pass') });
  crashed.handle(end(3, false));
  t.like(counts(), { errors: '1', tests: '2' });
  t.regex(counts().xml, /ended with exit code 3 after 1 iteration\(s\) of 3 planned/);
  // A finished run: only its iterations.
  const finished = reporterIn(dir);
  finished.handle(started);
  for (const i of [1, 2, 3]) finished.handle({ type: 'iteration-finished', result: result(i, 'pass') });
  finished.handle(end(0, false));
  t.like(counts(), { errors: '0', tests: '3' });
  t.notRegex(counts().xml, /run incomplete/);
});
