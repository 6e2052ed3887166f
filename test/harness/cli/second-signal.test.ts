// SIGTERM stops a run as Ctrl-C does (the iteration an InterruptedError named for the signal, the
// quick evidence still collected, a kept VM shut down from inside first); a second signal on top of a
// first hard-stops: the kept VM's clean shutdown is skipped, and the run still ends with a valid
// junit.xml and exit 130. (Whether it also skips evidence depends on whether collection had begun
// when it came, so that part is not asserted.) Both runs keep their VM (--keep-vm): teardown is
// where the clean shutdown shows, in the iteration's transcript.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { onlyRunDir, runCli, sxlVms } from '../../helpers/cli-run.ts';
import { cli, makeSimEnv, type SimEnv } from '../../helpers/sim-env.ts';
import { validateJUnit } from '../../helpers/xmllint.ts';

/** Runs upgrade-xpc and sends `signals` (back to back) once the install of the new build starts. */
async function interruptedRun(sim: SimEnv, signals: NodeJS.Signals[]) {
  const args = ['run', 'upgrade-xpc', '--keep-vm', '--artifacts', sim.artifacts];
  const child = spawn('node', [cli, ...args], { env: sim.env });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!signalled && stdout.includes('install new build ...')) {
      signalled = true;
      for (const signal of signals) child.kill(signal);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exit) => resolve(exit)));
  return { code, stdout, stderr, signalled };
}

function checkRunDir(t: import('ava').ExecutionContext, sim: SimEnv, signal: string) {
  const runDir = onlyRunDir(sim);
  t.is(validateJUnit(join(runDir, 'junit.xml')), null);
  const xml = readFileSync(join(runDir, 'junit.xml'), 'utf8');
  t.regex(
    xml,
    new RegExp(`<error message="Interrupted by ${signal} during the iteration" type="InterruptedError"`),
  );
  t.like(JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')), {
    exitCode: 130,
    interrupted: true,
  });
  const iterationDir = join(runDir, 'iterations', '1');
  return {
    evidence: join(iterationDir, 'evidence'),
    transcript: readFileSync(join(iterationDir, 'transcript.log'), 'utf8'),
  };
}

/** The kept VM is there (stopped); `reap --all` removes it. */
async function reapKept(t: import('ava').ExecutionContext, sim: SimEnv) {
  t.is((await sxlVms(sim)).length, 1);
  t.is((await runCli(sim, ['reap', '--all'])).code, 0);
  t.deepEqual(await sxlVms(sim), []);
}

const CLEAN_SHUTDOWN = /\) sudo -n shutdown -h now\n/;

test('SIGTERM: the iteration is interrupted, its quick evidence collected, the kept VM shut down cleanly, exit 130', async (t) => {
  t.timeout(180_000);
  const sim = makeSimEnv(0.2);
  const run = await interruptedRun(sim, ['SIGTERM']);
  t.true(run.signalled, run.stdout);
  t.is(run.code, 130, run.stdout + run.stderr);
  t.regex(run.stderr, /\nSIGTERM: stopping after cleanup \(press Ctrl-C again/);
  t.notRegex(run.stderr, /again: hard-stopping/);
  const { evidence, transcript } = checkRunDir(t, sim, 'SIGTERM');
  t.true(existsSync(join(evidence, 'pmset-log.txt')), 'quick collectors ran after one signal');
  t.regex(transcript, CLEAN_SHUTDOWN);
  await reapKept(t, sim);
});

test('Ctrl-C and SIGTERM: the second hard-stops without the clean shutdown, a valid junit.xml, exit 130', async (t) => {
  t.timeout(180_000);
  const sim = makeSimEnv(0.2);
  // Sent back to back: which one the process handles first is up to the kernel and the load.
  const run = await interruptedRun(sim, ['SIGINT', 'SIGTERM']);
  t.true(run.signalled, run.stdout);
  t.is(run.code, 130, run.stdout + run.stderr);
  const first = /\n(SIGINT|SIGTERM): stopping after cleanup/.exec(run.stderr)?.[1];
  if (!first) return t.fail(run.stderr);
  const second = first === 'SIGINT' ? 'SIGTERM' : 'SIGINT';
  t.regex(run.stderr, new RegExp(`\\n${second} again: hard-stopping and deleting the VMs\\n`));
  const { transcript } = checkRunDir(t, sim, first);
  t.notRegex(transcript, CLEAN_SHUTDOWN);
  await reapKept(t, sim);
});

// The window the fault suite's "SIGINT twice" rows hit now and then: the run has cleaned up and
// returned, the process has not exited yet. A child runs the CLI's run command in-process, then
// signals itself LATE_SIGNALS times in that window, deterministically.
const runThenSignal = `
const { runCli } = await import(${JSON.stringify(new URL('../../../harness/commands/run-cli.ts', import.meta.url).href)});
const code = await runCli(['upgrade-xpc', '--artifacts', process.env.ARTIFACTS], [], 'usage');
process.stdout.write('run returned ' + code + '\\n');
process.exitCode = code;
for (let i = 0; i < Number(process.env.LATE_SIGNALS); i++) {
  process.kill(process.pid, 'SIGINT');
  // Long enough for a listener to run (a process with nothing left to do may exit before it does).
  await new Promise((resolve) => setTimeout(resolve, 300));
}`;

function runThenLateSignals(count: number) {
  const sim = makeSimEnv();
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', runThenSignal], {
    env: { ...sim.env, ARTIFACTS: sim.artifacts, LATE_SIGNALS: String(count) },
    encoding: 'utf8',
  });
}

test('a Ctrl-C after the run has returned leaves its exit code as it was; a second one kills', (t) => {
  t.timeout(120_000);
  const once = runThenLateSignals(1);
  t.is(once.signal, null, once.stdout + once.stderr);
  t.regex(once.stdout, /^run returned 0$/m);
  t.is(once.status, 0, once.stdout + once.stderr);
  t.regex(once.stderr, /\nSIGINT: the run had already finished; its results and exit code stand\n/);
  // A CLI that hangs after its run can still be stopped.
  const twice = runThenLateSignals(2);
  t.regex(twice.stdout, /^run returned 0$/m);
  t.is(twice.signal, 'SIGINT', twice.stdout + twice.stderr);
});
