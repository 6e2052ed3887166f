// --parallel: iterations on two VMs at once give the same per-iteration outcomes as one at a time
// (the sim's dice are keyed by the iteration number), in iteration order everywhere; a VM-limit
// refusal on start puts the iteration back in the queue once, then it is the error it is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { TartBackend } from '../../harness/backends/tart/tart-backend.ts';
import { makeSimEnv } from '../helpers/sim-env.ts';
import { runOnSim } from './run-on-sim.ts';
import { sized } from './test-size.ts';

const quirks = { 'xpc-endpoint-lost-on-upgrade': 0.3 };

/** The testcases of junit.xml as written, in file order. */
function junitIterations(runDir: string): number[] {
  const xml = readFileSync(join(runDir, 'junit.xml'), 'utf8');
  return [...xml.matchAll(/<testcase [^>]*name="upgrade-xpc iteration (\d+)"/g)].map((m) => Number(m[1]));
}

test('same seed: --parallel 2 gives the per-iteration outcomes of --parallel 1, in iteration order', async (t) => {
  t.timeout(300_000);
  const repeat = sized(20, 8);
  const serial = await runOnSim('upgrade-xpc', { repeat, seed: 11, quirks, parallel: 1 });
  const parallel = await runOnSim('upgrade-xpc', { repeat, seed: 11, quirks, parallel: 2 });
  const outcomes = (run: typeof serial) => run.results.map((r) => `${r.iteration}:${r.outcome}`);
  // The seed must make outcomes differ between iterations, or equal lists would prove nothing.
  t.true(new Set(serial.results.map((r) => r.outcome)).size > 1, outcomes(serial).join(' '));
  t.deepEqual(outcomes(parallel), outcomes(serial));
  t.deepEqual(
    parallel.summary.scenarios.map((s) => [s.pass, s.fail, s.error]),
    serial.summary.scenarios.map((s) => [s.pass, s.fail, s.error]),
  );
  const inOrder = Array.from({ length: repeat }, (_, k) => k + 1);
  t.deepEqual(junitIterations(parallel.runDir), inOrder);
  const started = [...parallel.console.matchAll(/^\[(\d+)\/\d+\] \S+: cloning and booting$/gm)].map((m) =>
    Number(m[1]),
  );
  t.deepEqual(started, inOrder);
  // Each iteration's lines come together: no line of iteration k after iteration k+1 began.
  const lines = parallel.console.split('\n').flatMap((line) => {
    const n = /^\[(\d+)\/\d+\]/.exec(line)?.[1];
    return n ? [Number(n)] : [];
  });
  t.deepEqual(
    lines,
    [...lines].sort((a, b) => a - b),
  );
  t.is(JSON.parse(readFileSync(join(parallel.runDir, 'run.json'), 'utf8')).parallel, 2);
  // Each transcript holds its own VM's host commands only.
  for (const result of parallel.results) {
    const transcript = readFileSync(
      join(parallel.runDir, 'iterations', String(result.iteration), 'transcript.log'),
      'utf8',
    );
    const vms = new Set([...transcript.matchAll(/\(host\) \S+ \w+ (sxl-\S+-\d+)/g)].map((m) => m[1]));
    t.deepEqual([...vms], [result.vm]);
  }
});

/** A macOS VM that is not the run's, running on the simulated host: it takes one of its two slots. */
async function otherVm(sim: ReturnType<typeof makeSimEnv>, name: string): Promise<() => Promise<void>> {
  const tart = new TartBackend({ ...sim.backendOptions(), name: 'sim' });
  await tart.clone('ghcr.io/cirruslabs/macos-sequoia-base:latest', name);
  await tart.start(name, { logFile: join(sim.dir, `${name}.log`) });
  await tart.endpoint(name, { timeoutMs: 60_000 });
  return async () => {
    await tart.stop(name);
    await tart.delete(name);
  };
}

test('a VM-limit refusal on start requeues the iteration once; the default takes the free slots', async (t) => {
  t.timeout(300_000);
  const sim = makeSimEnv();
  const stopOther = await otherVm(sim, 'other-1');
  t.teardown(stopOther);
  const defaulted = await runOnSim('upgrade-xpc', { repeat: 2, sim: { tartHome: sim.tartHome } });
  t.is(defaulted.exitCode, 0, defaulted.console);
  t.is(JSON.parse(readFileSync(join(defaulted.runDir, 'run.json'), 'utf8')).parallel, 1);
  // Two asked for, one free: one start is refused, goes back, and runs once a slot frees.
  const asked = await runOnSim('upgrade-xpc', { repeat: 3, parallel: 2, sim: { tartHome: sim.tartHome } });
  t.is(asked.exitCode, 0, asked.console);
  t.deepEqual(
    asked.results.map((r) => `${r.iteration}:${r.outcome}`),
    ['1:pass', '2:pass', '3:pass'],
  );
  // Which of the two starts finds the slot taken is up to timing; one of them does, once.
  t.regex(
    asked.console,
    /Iteration [12] goes back in the queue once: The host refuses to start another macOS VM/,
  );
  t.is(asked.console.match(/goes back in the queue once/g)?.length, 1, asked.console);
  t.deepEqual(junitIterations(asked.runDir), [1, 2, 3]);
});

test('a VM-limit refusal on the second start too is an error of its own type, and the run stops', async (t) => {
  t.timeout(300_000);
  const sim = makeSimEnv();
  t.teardown(await otherVm(sim, 'other-1'));
  t.teardown(await otherVm(sim, 'other-2'));
  const run = await runOnSim('upgrade-xpc', { repeat: 3, parallel: 1, sim: { tartHome: sim.tartHome } });
  t.is(run.exitCode, 3, run.console);
  t.deepEqual(
    run.results.map((r) => [r.iteration, r.outcome, r.errorType]),
    [[1, 'error', 'HostPreconditionError']],
  );
  t.regex(run.results[0]?.message ?? '', /The number of VMs exceeds the system limit/);
  t.regex(run.console, /Iteration 1 goes back in the queue once/);
  t.regex(run.console, /Run stopped: The host refuses to start another macOS VM/);
});
