// Nothing lingers: once the CLI has printed its last line, no timer or child keeps it alive. The
// reboot probe used to race the connection drop against a 60 s timer that nobody cleared, so the
// run printed its result in seconds and exited a minute later.
import { spawn } from 'node:child_process';
import test from 'ava';
import { cli, makeSimEnv } from '../../helpers/sim-env.ts';

test('run upgrade-xpc --reboot-probe exits within 2 s of its last line', async (t) => {
  t.timeout(120_000);
  const sim = makeSimEnv();
  const child = spawn(
    'node',
    [
      cli,
      'run',
      'upgrade-xpc',
      '--reboot-probe',
      '--quirk',
      'xpc-endpoint-lost-on-upgrade=1',
      '--seed',
      '3',
      '--artifacts',
      sim.artifacts,
    ],
    { env: sim.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let lastOutputAt = performance.now();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    lastOutputAt = performance.now();
  });
  child.stderr.on('data', () => {
    lastOutputAt = performance.now();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const lingeredMs = performance.now() - lastOutputAt;
  // The probe ran: the endpoint was lost, the reboot happened and the result was printed.
  t.is(code, 1, stdout);
  t.regex(stdout, /reboot-probe: 1 recovered/);
  t.regex(stdout, /Run directory: .* \(exit code 1, /);
  // A generous "did not hang" bound: the leaked timer kept the process for a minute.
  t.true(lingeredMs < 2_000, `exited ${Math.round(lingeredMs)} ms after its last line`);
});
