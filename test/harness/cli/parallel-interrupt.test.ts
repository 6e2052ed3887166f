// Ctrl-C during a run with two VMs in flight: both iterations end as interrupted errors, both VMs
// are stopped and deleted, and junit.xml is valid and says the run was interrupted.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { onlyRunDir, sxlVms } from '../../helpers/cli-run.ts';
import { cli, makeSimEnv } from '../../helpers/sim-env.ts';
import { validateJUnit } from '../../helpers/xmllint.ts';

test('Ctrl-C with two iterations in flight stops both, leaves no VM and a valid junit.xml', async (t) => {
  t.timeout(180_000);
  // Slower sim delays so that the signal lands while both iterations run.
  const sim = makeSimEnv(0.2);
  const child = spawn(
    'node',
    [cli, 'run', 'upgrade-xpc', '--repeat', '4', '--parallel', '2', '--artifacts', sim.artifacts],
    { env: sim.env },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Both VMs listed by the simulated host: the two iterations are in flight.
  for (let tries = 0; (await sxlVms(sim)).length < 2; tries += 1) {
    if (tries > 600 || child.exitCode !== null) throw new Error(`two VMs never ran at once: ${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGINT');
  t.is(await exited, 130, stdout);
  t.deepEqual(await sxlVms(sim), []);
  const runDir = onlyRunDir(sim);
  t.is(validateJUnit(join(runDir, 'junit.xml')), null);
  const xml = readFileSync(join(runDir, 'junit.xml'), 'utf8');
  const iterations = [...xml.matchAll(/<testcase [^>]*name="upgrade-xpc iteration (\d+)"/g)].map((m) =>
    Number(m[1]),
  );
  t.deepEqual(iterations, [1, 2], 'the two in flight, in order; 3 and 4 never started');
  t.is(
    xml.match(/<error message="Interrupted by SIGINT during the iteration" type="InterruptedError"/g)?.length,
    2,
  );
  t.regex(xml, /name="upgrade-xpc run incomplete"[\s\S]*was interrupted \(exit code 130\)/);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
  t.like(summary, { exitCode: 130, interrupted: true });
});
