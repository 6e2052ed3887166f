// Issue 12: paths that cannot hold artifacts, missing tools and bad output paths are one-line usage
// errors; every subcommand has --help; a harness killed with SIGKILL leaves a junit.xml that is not
// green, and `reap` finishes its files; VMs kept with --keep-vm survive a plain `reap`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { onlyRunDir, runCli, sxlVms } from '../../helpers/cli-run.ts';
import { cli, makeSimEnv } from '../../helpers/sim-env.ts';
import { validateJUnit } from '../../helpers/xmllint.ts';

/** A one-line message, no stack trace. */
function oneLine(text: string): boolean {
  return text.trim().split('\n').length === 1 && !/^\s+at /m.test(text);
}

test('--artifacts that cannot be a folder is a one-line usage error, before any VM', async (t) => {
  const sim = makeSimEnv();
  mkdirSync(sim.dir, { recursive: true });
  const file = join(sim.dir, 'a-file');
  writeFileSync(file, 'x');
  const dangling = join(sim.dir, 'dangling');
  symlinkSync(join(sim.dir, 'nowhere'), dangling);
  for (const [path, reason] of [
    ['/proc/nope/artifacts', /cannot create \/proc\/nope/],
    [file, /is not a folder/],
    [join(file, 'below'), /a-file is not a folder/],
    [dangling, /is a symlink to .*nowhere, which does not exist/],
  ] as const) {
    // /proc/nope made Node's recursive mkdir spin at 100% CPU; the test's timeout is the hang check.
    const result = await runCli(sim, ['run', 'upgrade-xpc', '--artifacts', path]);
    t.is(result.code, 2, `${path}: ${result.stderr}`);
    t.regex(result.stderr, reason, path);
    t.true(oneLine(result.stderr), result.stderr);
  }
  t.deepEqual(await sxlVms(sim), []);
});

test('--help on each subcommand prints its usage; bad counts and unknown commands are usage errors', async (t) => {
  const sim = makeSimEnv();
  for (const [command, pattern] of [
    ['run', /run options:/],
    ['reap', /Usage: sysext-lab reap/],
    ['feedback', /Usage: sysext-lab feedback/],
  ] as const) {
    const result = await runCli(sim, [command, '--help']);
    t.is(result.code, 0, result.stderr);
    t.regex(result.stdout, pattern);
    t.notRegex(result.stderr, /Unknown option/);
  }
  const huge = await runCli(sim, ['run', 'upgrade-xpc', '--repeat', '100000000000000000000000']);
  t.is(huge.code, 2);
  t.regex(huge.stderr, /--repeat must be at most 1000000/);
  // The spelling: a number in exponent form is not a whole count either.
  const exponent = await runCli(sim, ['run', 'upgrade-xpc', '--repeat', '1e23']);
  t.is(exponent.code, 2);
  t.regex(exponent.stderr, /--repeat must be a whole number >= 1, got "1e23"/);
  const unknown = await runCli(sim, ['frob']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /expected run, list, show, init, reap, feedback/);
});

test('feedback --out into a missing folder and reap without tart are one-line errors with their exit codes', async (t) => {
  const sim = makeSimEnv();
  const run = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--quirk',
    'xpc-endpoint-lost-on-upgrade=1',
    '--evidence',
    'never',
    '--artifacts',
    sim.artifacts,
  ]);
  t.is(run.code, 1, run.stderr);
  const feedback = await runCli(sim, ['feedback', onlyRunDir(sim), '--out', '/missing/dir/x.zip']);
  t.is(feedback.code, 2, feedback.stderr);
  t.regex(feedback.stderr, /--out \/missing\/dir\/x\.zip: the folder \/missing\/dir does not exist/);
  t.true(oneLine(feedback.stderr), feedback.stderr);
  // A PATH with node only: no tart.
  const reap = await runCli(sim, ['reap', '--backend', 'tart'], { PATH: join(process.execPath, '..') });
  t.is(reap.code, 3, reap.stderr);
  t.regex(reap.stderr, /^sysext-lab: reap could not list the VMs of backend tart: /);
  t.true(oneLine(reap.stderr), reap.stderr);
});

test('VMs kept with --keep-vm survive reap; reap --all deletes them', async (t) => {
  const sim = makeSimEnv();
  const run = await runCli(sim, ['run', 'upgrade-xpc', '--keep-vm', '--artifacts', sim.artifacts]);
  t.is(run.code, 0, run.stdout + run.stderr);
  const kept = await sxlVms(sim);
  t.is(kept.length, 1);
  const reap = await runCli(sim, ['reap']);
  t.is(reap.code, 0, reap.stderr);
  t.regex(reap.stdout, /kept sxl-.* \(kept with --keep-vm/);
  t.deepEqual(await sxlVms(sim), kept);
  const all = await runCli(sim, ['reap', '--all']);
  t.is(all.code, 0, all.stderr);
  t.deepEqual(await sxlVms(sim), []);
  t.deepEqual(readdirSync(join(sim.dir, 'runs')), []);
});

/** Starts a three-iteration run and kills it with SIGKILL as its second iteration comes up. */
async function killDuringSecondIteration(sim: ReturnType<typeof makeSimEnv>): Promise<string> {
  // One VM at a time, so that exactly the first iteration has finished when the second comes up.
  const args = ['run', 'upgrade-xpc', '--repeat', '3', '--parallel', '1', '--artifacts', sim.artifacts];
  const child = spawn('node', [cli, ...args], {
    env: sim.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (/\[2\/3\] .*SSH up/.test(stdout)) resolve();
    });
    child.on('close', () => reject(new Error(`the run ended before its second iteration: ${stdout}`)));
  });
  const runDir = onlyRunDir(sim);
  child.kill('SIGKILL');
  await closed;
  return runDir;
}

test('kill -9 mid-run: junit.xml is not green, and reap deletes the VM and finishes the run as interrupted', async (t) => {
  t.timeout(180_000);
  // Each iteration takes seconds even at time scale 0: the run is still going when it is killed.
  const sim = makeSimEnv();
  const runDir = await killDuringSecondIteration(sim);
  const during = readFileSync(join(runDir, 'junit.xml'), 'utf8');
  t.regex(during, /<testsuites[^>]* errors="[1-9]/);
  t.regex(during, /run incomplete/);
  t.is(validateJUnit(join(runDir, 'junit.xml')), null);
  t.false(existsSync(join(runDir, 'summary.json')));
  t.is(readdirSync(join(sim.dir, 'runs')).length, 1, 'the dead run marker');
  t.true(existsSync(join(runDir, '.report-reserve')), 'the killed run still holds its report reserve');
  const reap = await runCli(sim, ['reap']);
  t.is(reap.code, 0, reap.stderr);
  t.regex(reap.stdout, /finished .* \(recorded as interrupted\)/);
  t.deepEqual(await sxlVms(sim), []);
  t.deepEqual(readdirSync(join(sim.dir, 'runs')), []);
  const manifest = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
  t.is(manifest.exitCode, 130);
  t.true(manifest.interrupted);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
  t.is(summary.exitCode, 130);
  t.is(summary.scenarios[0]?.pass, 1);
  const after = readFileSync(join(runDir, 'junit.xml'), 'utf8');
  t.regex(after, /was interrupted \(exit code 130\) after 1 iteration\(s\) of 3 planned/);
  t.is(validateJUnit(join(runDir, 'junit.xml')), null);
  t.deepEqual(
    readdirSync(runDir).filter((f) => f.endsWith('.tmp') || f === '.report-reserve'),
    [],
  );
});

test('an unknown --quirk is named with the known ones, without advice to run make setup', async (t) => {
  const sim = makeSimEnv();
  const result = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--quirk',
    'nosuch=1',
    '--artifacts',
    sim.artifacts,
  ]);
  t.is(result.code, 2, result.stderr);
  t.regex(result.stderr, /Unknown quirk "nosuch": expected one of .*vm-limit-leak/);
  t.notRegex(result.stderr, /make setup/);
  t.true(oneLine(result.stderr), result.stderr);
});

test('kill -9 mid-run, then another run: the new run finishes the files of the dead one', async (t) => {
  t.timeout(180_000);
  const sim = makeSimEnv();
  const dead = await killDuringSecondIteration(sim);
  const next = await runCli(sim, ['run', 'upgrade-xpc', '--artifacts', sim.artifacts]);
  t.is(next.code, 0, next.stdout + next.stderr);
  t.regex(next.stdout, /note: finished the files of a run that was killed: .* \(interrupted\)/);
  t.is(JSON.parse(readFileSync(join(dead, 'run.json'), 'utf8')).exitCode, 130);
  t.true(existsSync(join(dead, 'summary.json')));
  t.regex(readFileSync(join(dead, 'junit.xml'), 'utf8'), /was interrupted \(exit code 130\)/);
  // Its VM is reap's to delete; the new run's marker is gone with it.
  t.is((await sxlVms(sim)).length, 1);
  t.deepEqual(readdirSync(join(sim.dir, 'runs')), []);
  const reap = await runCli(sim, ['reap']);
  t.regex(reap.stdout, /reaped 1 VM\(s\).*finished 0 dead run\(s\)/);
  t.deepEqual(await sxlVms(sim), []);
});
