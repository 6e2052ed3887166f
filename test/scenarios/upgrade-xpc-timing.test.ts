// Issue 9, point 3: launchd registers the upgraded extension's job seconds after the replacement,
// and the old version is [terminating for upgrade via delegate] before it waits for the reboot.
// upgrade-xpc polls both to a deadline: a late job passes (its delay recorded as time-to-register),
// a job that never gets its endpoint fails with the signature at the deadline, with the last read.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { quirkRoll } from '../../sim/quirks.ts';
import { onlyRunDir, runCli } from '../helpers/cli-run.ts';
import { makeSimEnv } from '../helpers/sim-env.ts';
import { runOnSim } from './run-on-sim.ts';

// Seed 685 with the sim's delays on (time scale 0.6): in iteration 1 the new job comes after
// 0.99 x 5 s x 0.6 (about 3 s) while the old version terminates within 0.3 s; in iteration 2 the
// old version stays terminating for about 1.6 s. Both windows are longer than the end of the
// activation step plus a read over SSH, also on two cores shared with other test files (at 0.2 the
// windows were 1 s and 0.5 s, and a loaded machine read after them).
const SEED = 685;
const TIME_SCALE = 0.6;
// The sim backend scales the registration deadline (60 s) with its delays.
const DEADLINE_MS = 60_000 * TIME_SCALE;

test('every quirk off, delays on: the late job and the terminating old version are waited for, and time-to-register is recorded', async (t) => {
  t.timeout(400_000);
  const roll = (n: number, what: string) => quirkRoll(SEED, `#${n}`, `timing:${what}`, 0);
  t.true(roll(1, 'replacement-job') > 0.95 && roll(1, 'upgrade-termination') < 0.1, 'dice of iteration 1');
  t.true(roll(2, 'upgrade-termination') > 0.85, 'dice of iteration 2');
  const run = await runOnSim('upgrade-xpc', {
    repeat: 2,
    seed: SEED,
    sim: { tartHome: join(mkdtempSync(join(tmpdir(), 'sxl-timing-')), 'tart-home'), timeScale: TIME_SCALE },
  });
  t.is(run.exitCode, 0, run.console);
  t.deepEqual(
    run.results.map((r) => r.outcome),
    ['pass', 'pass'],
  );
  for (const r of run.results) t.regex(r.findings?.['time-to-register-ms'] ?? '', /^\d+$/);
  const transcript = (n: number) =>
    readFileSync(join(run.runDir, 'iterations', String(n), 'transcript.log'), 'utf8');
  // The first read after the replacement found no job; a later one found it with its endpoint.
  t.regex(
    transcript(1),
    new RegExp(
      `not registered yet, polling up to ${DEADLINE_MS} ms: XPC endpoint missing: launchd has no job system/NetworkExtension\\.com\\.example\\.sxl\\.app\\.proxy\\.1\\.1\\.110`,
    ),
  );
  t.regex(
    transcript(1),
    /system\/NetworkExtension\.com\.example\.sxl\.app\.proxy\.1\.1\.110 registered "[^"]+" after \d+ reads/,
  );
  t.regex(
    transcript(2),
    new RegExp(
      `polling up to ${DEADLINE_MS} ms: Extension com\\.example\\.sxl\\.app\\.proxy \\(1\\.0/100\\) is not \\[terminated waiting to uninstall on reboot\\] in \`systemextensionsctl list\`: it is \\[terminating for upgrade via delegate\\]`,
    ),
  );
  t.is(run.summary.scenarios[0]?.measurements?.['time-to-register-ms']?.count, run.results.length);
});

test('an old version still terminating at the deadline is an error, never the bug', async (t) => {
  t.timeout(240_000);
  // Seed 3, iteration 1: the old version stays terminating for 0.98 x 2.7 s + 0.3 s, x 0.6 (about
  // 1.8 s); a deadline of 0 reads the list once, inside that window.
  t.true(quirkRoll(3, '#1', 'timing:upgrade-termination', 0) > 0.95, 'dice of iteration 1');
  const run = await runOnSim('upgrade-xpc', {
    seed: 3,
    registrationDeadlineMs: 0,
    evidence: 'never',
    sim: { tartHome: join(mkdtempSync(join(tmpdir(), 'sxl-timing-')), 'tart-home'), timeScale: TIME_SCALE },
  });
  const [r] = run.results;
  t.like(r, { outcome: 'error', errorType: 'WaitTimeoutError' });
  t.regex(
    r?.message ?? '',
    /to leave \[terminating for upgrade via delegate\] for \[terminated waiting to uninstall on reboot\]/,
  );
  t.like(run.summary.scenarios[0], { fail: 0, otherFailures: 0, error: 1 });
});

test('endpoint lost for good: every iteration fails with the signature at the deadline, the last read kept', async (t) => {
  t.timeout(120_000);
  const run = await runOnSim('upgrade-xpc', {
    repeat: 2,
    seed: 3,
    quirks: { 'xpc-endpoint-lost-on-upgrade': 1 },
    // Settable per run; the sim's own default at time scale 0 is 2000 ms.
    registrationDeadlineMs: 700,
  });
  t.is(run.exitCode, 1);
  for (const r of run.results) {
    t.like(r, { outcome: 'fail', failedCheck: 'xpc-endpoint-after-upgrade', matchesSignature: true });
    t.regex(
      r.message ?? '',
      /^XPC endpoint missing: system\/NetworkExtension\.com\.example\.sxl\.app\.proxy\.1\.1\.110 has no endpoints block \(expected "[^"]+"\); state running, pid \d+; still so at the 700 ms deadline \(\d+ reads\)$/,
    );
    t.is(r.findings?.['time-to-register-ms'], undefined);
    const evidenceDir = join(run.runDir, 'iterations', String(r.iteration), 'evidence');
    const print = readFileSync(
      join(evidenceDir, 'launchctl-print-NetworkExtension.com.example.sxl.app.proxy.1.1.110.txt'),
      'utf8',
    );
    t.regex(print, /^system\/NetworkExtension\.com\.example\.sxl\.app\.proxy\.1\.1\.110 = \{/);
    t.false(print.includes('endpoints'));
    t.true(readdirSync(evidenceDir).length > 0);
  }
  t.like(run.summary.scenarios[0], { fail: 2, otherFailures: 0, error: 0 });
});

test('a registration deadline that is not a number of ms is a usage error before any VM', async (t) => {
  const error = await t.throwsAsync(runOnSim('upgrade-xpc', { registrationDeadlineMs: -1 }));
  t.is(error?.name, 'ConfigError');
  t.regex(error?.message ?? '', /^registrationDeadlineMs must be a number of ms >= 0, got -1$/);
});

test('--registration-deadline S sets the deadline of a CLI run', async (t) => {
  t.timeout(60_000);
  const sim = makeSimEnv();
  const result = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--quirk',
    'xpc-endpoint-lost-on-upgrade=1',
    '--registration-deadline',
    '1',
    '--evidence',
    'never',
    '--artifacts',
    sim.artifacts,
  ]);
  t.is(result.code, 1, result.stdout + result.stderr);
  const xml = readFileSync(join(onlyRunDir(sim), 'junit.xml'), 'utf8');
  t.regex(
    xml,
    /<failure message="XPC endpoint missing: [^"]*; still so at the 1000 ms deadline \(\d+ reads\)"/,
  );
});
