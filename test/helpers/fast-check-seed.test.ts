// The seed every property runs from is the one SXL_FC_SEED names, and a failure says how to replay it.
import { execFileSync } from 'node:child_process';
import test from 'ava';
import fc from 'fast-check';

test('fast-check runs from the seed SXL_FC_SEED names, and a failure prints it', (t) => {
  const { seed } = fc.readConfigureGlobal();
  t.true(Number.isInteger(seed));
  if (process.env.SXL_FC_SEED) t.is(seed, Number(process.env.SXL_FC_SEED));
  const error = t.throws(() => fc.assert(fc.property(fc.nat(), (n) => n < 0)));
  t.regex(error?.message ?? '', new RegExp(`seed: ${seed}\\b`));
  t.regex(error?.message ?? '', new RegExp(`replay all properties with SXL_FC_SEED=${seed}\\)$`));
});

// A worker loads the helper with the environment it was given: the seed named there is the one used
// (checked in a child process, whatever SXL_FC_SEED this worker has), and a malformed one is refused.
const helper = new URL('./fast-check-seed.ts', import.meta.url).href;
const script = `import fc from 'fast-check'; await import(${JSON.stringify(helper)}); console.log(fc.readConfigureGlobal().seed);`;

function seedInChild(value: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, SXL_FC_SEED: value },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

test('SXL_FC_SEED=424242 in the environment is the seed; a seed that is no integer stops the worker', (t) => {
  t.is(seedInChild('424242'), '424242');
  const error = t.throws(() => seedInChild('12ab'));
  t.regex(String((error as { stderr?: string })?.stderr), /SXL_FC_SEED must be an integer, got "12ab"/);
});
