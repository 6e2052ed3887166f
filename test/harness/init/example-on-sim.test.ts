// The example scenario `sysext-lab init` writes runs from the user's project on the simulated Mac, by
// path, with the project's config: it passes on a clean upgrade and fails on its signature when the
// sim loses the XPC endpoint.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { initProject } from '../../../harness/init/init-project.ts';
import { cli, makeSimEnv } from '../../helpers/sim-env.ts';
import { validateJUnit } from '../../helpers/xmllint.ts';

const run = promisify(execFile);

async function runExample(args: string[]): Promise<{ code: number; output: string; runDir: string }> {
  const sim = makeSimEnv();
  const dir = join(sim.dir, 'project');
  initProject({ dir });
  const command = ['run', './scenarios/example-upgrade-xpc.ts', '--seed', '3', ...args];
  const result = await run('node', [cli, ...command], { cwd: dir, env: sim.env }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: error.stdout + error.stderr,
    }),
  );
  // The config init wrote sends run directories to the project's artifacts/.
  const runs = readdirSync(join(dir, 'artifacts'));
  return { ...result, runDir: join(dir, 'artifacts', runs[0]!) };
}

test('the example passes on the sim and writes a valid junit.xml', async (t) => {
  const { code, output, runDir } = await runExample([]);
  t.is(code, 0, output);
  t.regex(
    output,
    /^example-upgrade-xpc on ghcr\.io\/cirruslabs\/macos-sequoia-base:latest: 1 iteration\(s\): 1 passed/m,
  );
  t.is(validateJUnit(join(runDir, 'junit.xml')), null);
});

test('the example fails on its signature when the endpoint is lost after the upgrade', async (t) => {
  const { code, output, runDir } = await runExample(['--quirk', 'xpc-endpoint-lost-on-upgrade=1']);
  t.is(code, 1, output);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
  // A fail on the signature: counted in the rate, not among the other failures.
  t.like(summary.scenarios[0], {
    id: 'example-upgrade-xpc',
    fail: 1,
    otherFailures: 0,
    error: 0,
    failureRate: 1,
  });
  t.regex(output, /1 of 1 upgrades lost the XPC endpoint/);
});
