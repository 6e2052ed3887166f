// Issue 12, items 1 and 2: a token named by --redact-env, with characters that XML, JSON, HTML and
// URLs encode, printed by a failing probe: masked on the console and in every file, feedback zip
// included. An unset or too short --redact-env variable is said to be so.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { quoteArg } from '../../../harness/ssh/shell-quote.ts';
import { secretsInText, secretsInTree } from '../../faults/find-secrets.ts';
import { onlyRunDir, runCli } from '../../helpers/cli-run.ts';
import { cli, makeSimEnv } from '../../helpers/sim-env.ts';

const token = `Sec&ret<tag>"q'X9z7/ab%`;
const registryPassword = 'RegPw-4f8a9c2d1e';

test('a failing probe that prints a token: no form of it on stdout, stderr or in any file', async (t) => {
  const sim = makeSimEnv();
  const result = await runCli(
    sim,
    [
      'run',
      'upgrade-xpc',
      '--artifacts',
      sim.artifacts,
      '--redact-env',
      'MY_TOKEN_A',
      '--redact-env',
      'SXL_UNSET_TOKEN',
      '--redact-env',
      'SXL_SHORT_TOKEN',
      '--input',
      `probe-command=printf '%s\\n' ${quoteArg(token)} ${quoteArg(registryPassword)}; false`,
    ],
    { MY_TOKEN_A: token, TART_REGISTRY_PASSWORD: registryPassword, SXL_SHORT_TOKEN: 'abc' },
  );
  t.is(result.code, 1, result.stdout + result.stderr);
  // The FAIL line is there, with the secrets masked in it.
  t.regex(result.stdout, /FAIL .*\[REDACTED:MY_TOKEN_A\]/);
  t.regex(result.stdout, /note: --redact-env SXL_UNSET_TOKEN: the variable is not set/);
  t.regex(
    result.stdout,
    /note: --redact-env SXL_SHORT_TOKEN: not masked, its value is shorter than 6 characters/,
  );
  const runDir = onlyRunDir(sim);
  const zipDir = join(sim.dir, 'feedback');
  mkdirSync(zipDir);
  execFileSync('node', [cli, 'feedback', runDir, '--out', join(zipDir, 'feedback.zip')], { env: sim.env });
  for (const secret of [token, registryPassword]) {
    t.deepEqual(secretsInText(result.stdout, secret, 'stdout'), []);
    t.deepEqual(secretsInText(result.stderr, secret, 'stderr'), []);
    t.deepEqual(secretsInTree(runDir, secret), []);
    t.deepEqual(secretsInTree(zipDir, secret), [], 'the feedback zip');
  }
});
