// --backend orchard against the simulated Orchard controller: a run passes through the REST API
// and the port-forward, the same seed gives the sim backend's per-iteration outcomes, and a worker
// lost mid-run makes its iterations errors while the run finishes and leaves no VM behind.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runCli } from '../helpers/cli-run.ts';
import { makeSimEnv, sampleBuilds } from '../helpers/sim-env.ts';
import { runOnOrchard, startFleet } from './run-on-orchard.ts';
import { runOnSim } from './run-on-sim.ts';
import { sized } from './test-size.ts';

/** Every file under `dir`, as text. */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, text: readFileSync(path, 'latin1') }));
}

test('upgrade-xpc passes on --backend orchard; the token is masked; no VM is left on the controller', async (t) => {
  t.timeout(240_000);
  const fleet = await startFleet({ workers: 2 });
  t.teardown(() => fleet.close());
  const run = await runOnOrchard(fleet, 'upgrade-xpc', { repeat: 2, registrationDeadlineMs: 2_000 });
  t.is(run.exitCode, 0, run.console);
  t.deepEqual(
    run.results.map((r) => r.outcome),
    ['pass', 'pass'],
  );
  const manifest = JSON.parse(readFileSync(join(run.runDir, 'run.json'), 'utf8'));
  t.is(manifest.backend, 'orchard');
  // --parallel defaults to the fleet's free slots: two workers of two.
  t.is(manifest.parallel, 4);
  // The VMs were made through the API and SSH went through the controller's port-forward.
  const transcript = readFileSync(join(run.runDir, 'iterations', '1', 'transcript.log'), 'utf8');
  t.regex(transcript, /POST http:\/\/127\.0\.0\.1:\d+\/v1\/vms/);
  t.regex(transcript, /GET http:\/\/127\.0\.0\.1:\d+\/v1\/vms\/sxl-\S+-1\/ip\?wait=\d+/);
  t.is(fleet.controller.vms.size, 0);
  // Made through the API, one per iteration (the suspend test below counts on this counter).
  t.is(fleet.controller.created, 2);
  const token = fleet.settings.serviceAccountToken;
  const leaks = filesUnder(run.runDir).filter((file) => file.text.includes(token));
  t.deepEqual(
    leaks.map((file) => file.path),
    [],
  );
});

test('same seed: orchard with 3 workers gives the per-iteration outcomes of the sim backend', async (t) => {
  t.timeout(400_000);
  const repeat = sized(20, 8);
  const seed = 11;
  const quirks = { 'xpc-endpoint-lost-on-upgrade': 0.3 };
  const fleet = await startFleet({ workers: 3, seed, quirks });
  t.teardown(() => fleet.close());
  const onSim = await runOnSim('upgrade-xpc', { repeat, seed, quirks, parallel: 1 });
  const onOrchard = await runOnOrchard(fleet, 'upgrade-xpc', { repeat, registrationDeadlineMs: 2_000 });
  const outcomes = (run: { results: { iteration: number; outcome: string }[] }) =>
    run.results.map((r) => `${r.iteration}:${r.outcome}`);
  // The seed must make outcomes differ between iterations, or equal lists would prove nothing.
  t.true(new Set(onSim.results.map((r) => r.outcome)).size > 1, outcomes(onSim).join(' '));
  t.deepEqual(outcomes(onOrchard), outcomes(onSim));
  t.is(JSON.parse(readFileSync(join(onOrchard.runDir, 'run.json'), 'utf8')).parallel, 6);
  t.is(fleet.controller.vms.size, 0);
});

test('a worker lost mid-run: its iterations are errors, the others pass, the run finishes, no VM is left', async (t) => {
  t.timeout(300_000);
  const fleet = await startFleet({ workers: 2 });
  t.teardown(() => fleet.close());
  let lost: { worker: string; vms: string[] } | undefined;
  const run = await runOnOrchard(fleet, 'upgrade-xpc', {
    repeat: 4,
    parallel: 4,
    registrationDeadlineMs: 2_000,
    onOutput: (text) => {
      // Iteration 1 has installed its old build: all four VMs run, two on each worker.
      if (lost || !/^\[1\/4\] +install old build: ok/m.test(text)) return;
      const vm1 = [...fleet.controller.vms.values()].find((vm) => /-1$/.test(vm.name));
      if (!vm1) return;
      const vms = [...fleet.controller.vms.values()].filter((vm) => vm.worker === vm1.worker);
      lost = { worker: vm1.worker, vms: vms.map((vm) => vm.name) };
      fleet.controller.loseWorker(vm1.worker);
    },
  });
  t.truthy(lost, run.console);
  const onLost = new Set(lost?.vms);
  t.is(onLost.size, 2, JSON.stringify(lost));
  for (const result of run.results) {
    t.is(result.outcome, onLost.has(result.vm) ? 'error' : 'pass', `${result.vm}: ${result.message ?? ''}`);
    t.is(
      result.errorType,
      onLost.has(result.vm) ? 'VmLostError' : undefined,
      `${result.vm}: ${result.message ?? ''}`,
    );
  }
  t.is(run.results.length, 4);
  t.is(run.exitCode, 3, run.console);
  t.is(fleet.controller.vms.size, 0);
});

test('--sleep-strategy suspend on --backend orchard: usage error (exit 2) naming both, before any VM is made', async (t) => {
  t.timeout(60_000);
  const fleet = await startFleet({ workers: 1 });
  t.teardown(() => fleet.close());
  const sim = makeSimEnv();
  const env = {
    ORCHARD_URL: fleet.url,
    ORCHARD_SERVICE_ACCOUNT_NAME: fleet.settings.serviceAccountName,
    ORCHARD_SERVICE_ACCOUNT_TOKEN: fleet.settings.serviceAccountToken,
  };
  const args = ['run', 'sleep-wake-flows', '--backend', 'orchard', '--repeat', '3'];
  const from = ['--from', join(sampleBuilds, 'SXL Sample 1.0.pkg'), '--artifacts', sim.artifacts];
  const refused = await runCli(sim, [...args, '--sleep-strategy', 'suspend', ...from], env);
  t.is(refused.code, 2, refused.stderr);
  t.regex(
    refused.stderr,
    /--sleep-strategy suspend cannot be used with --backend orchard: an Orchard VM can be suspended only once/,
  );
  t.is(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  t.is(fleet.controller.created, 0);
});
