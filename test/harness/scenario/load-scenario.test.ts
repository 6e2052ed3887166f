// Users' scenario files by path, from the checkout (the packaged install has its own test in
// test/package/): a .ts file importing 'sysext-lab' is bound to the running harness's own modules,
// so its errors are the runner's classes; declarations are checked when the file loads.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CheckFailedError, ConfigError } from '../../../harness/errors.ts';
import { loadScenario, projectScenarios } from '../../../harness/scenario/load-scenario.ts';
import type { ScenarioContext } from '../../../harness/scenario/scenario-context.ts';

function scenarioSource(id: string, options: { signature?: string; extra?: string } = {}): string {
  return `import { CheckFailedError, defineScenario } from 'sysext-lab';
import { reason } from './helper.ts';
${options.extra ?? ''}
export default defineScenario({
  id: '${id}',
  title: 'title of ${id}',
  report: import.meta.dirname,
  inputs: { count: { kind: 'number', description: 'n', default: 2 } },
  checks: ['first-check', 'second-check'],
  signature: { check: '${options.signature ?? 'second-check'}', description: 'd', evidence: 'e' },
  async run(t, input) {
    const n: number = input.count;
    throw new CheckFailedError('second-check', reason(n), {});
  },
});
`;
}

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-load-'));
  mkdirSync(join(dir, 'scenarios'));
  writeFileSync(
    join(dir, 'scenarios', 'helper.ts'),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the helper file's own template literal
    'export const reason = (n: number): string => `failed ${n} times`;\n',
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'scenarios', name), text);
  return dir;
}

const context = { inputs: {} } as unknown as ScenarioContext;

test('a .ts scenario file loads by path, its helper bundled, and throws the runner own CheckFailedError', async (t) => {
  const cwd = project({ 'mine.ts': scenarioSource('mine') });
  const scenario = await loadScenario('./scenarios/mine.ts', { cwd });
  t.is(scenario.id, 'mine');
  // import.meta points at the scenario's own file, not at the compiled copy in the cache.
  t.is(scenario.report, join(cwd, 'scenarios'));
  t.deepEqual(scenario.checks, ['first-check', 'second-check']);
  // instanceof is what classify uses: a second copy of the error classes would make this an error.
  const error = await t.throwsAsync(scenario.run(context), { instanceOf: CheckFailedError });
  t.is(error?.message, 'failed 2 times');
});

test('a project scenario is found by its id, and list-style loading skips helper modules', async (t) => {
  const cwd = project({ 'mine.ts': scenarioSource('mine-by-id') });
  t.is((await loadScenario('mine-by-id', { cwd })).id, 'mine-by-id');
  const found = await projectScenarios(cwd);
  t.deepEqual(
    found.map((p) => [p.file, p.scenario?.id]),
    [[join('scenarios', 'mine.ts'), 'mine-by-id']],
  );
  t.is((await loadScenario('upgrade-xpc', { cwd })).id, 'upgrade-xpc');
});

test('a signature naming a check the scenario never declares is a ConfigError when the file loads', async (t) => {
  const cwd = project({ 'typo.ts': scenarioSource('typo', { signature: 'secnod-check' }) });
  const error = await t.throwsAsync(loadScenario('scenarios/typo.ts', { cwd }), { instanceOf: ConfigError });
  t.regex(
    error?.message ?? '',
    /^Cannot load scenario scenarios\/typo\.ts: Scenario typo's signature names check "secnod-check", which it never declares: expected one of first-check, second-check$/,
  );
  const listed = await projectScenarios(cwd);
  t.is(listed.length, 1);
  t.regex(listed[0]?.problem ?? '', /never declares/);
  // The id of a broken file is unknown; the error says which file did not load and why.
  const unknown = await t.throwsAsync(loadScenario('typo', { cwd }), { instanceOf: ConfigError });
  t.regex(
    unknown?.message ?? '',
    /^Unknown scenario "typo": expected one of upgrade-xpc, .*; not loaded: Cannot load scenario/,
  );
});

test('a file that does not compile, a missing file and a wrong extension are ConfigErrors naming the file', async (t) => {
  const cwd = project({ 'broken.ts': 'export default defineScenario({ id: \n' });
  const broken = await t.throwsAsync(loadScenario('./scenarios/broken.ts', { cwd }), {
    instanceOf: ConfigError,
  });
  t.regex(broken?.message ?? '', /^Cannot compile scenario .*broken\.ts: .*broken\.ts:2: /);
  const missing = await t.throwsAsync(loadScenario('./scenarios/none.ts', { cwd }), {
    instanceOf: ConfigError,
  });
  t.regex(missing?.message ?? '', /^Cannot load scenario \.\/scenarios\/none\.ts: no such file/);
  const json = await t.throwsAsync(loadScenario('./scenarios/x.json', { cwd }), { instanceOf: ConfigError });
  t.regex(json?.message ?? '', /expected a \.ts, \.mts, \.js, \.mjs file, got "\.json"/);
  const helper = await t.throwsAsync(loadScenario('./scenarios/helper.ts', { cwd }), {
    instanceOf: ConfigError,
  });
  t.regex(helper?.message ?? '', /has no default export made by defineScenario/);
});
