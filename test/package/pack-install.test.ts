// The package as a user gets it: `npm pack` (which builds dist/), installed into an empty project
// with no tsx anywhere in its node_modules; `npx sysext-lab init`, then `npx sysext-lab` runs the
// project's own scenarios (the example init wrote, a .ts and a .mjs, all against the public scenario
// API only) on the simulated Mac. A failed check thrown by the user's file is a `fail` on its
// signature: the CLI and the scenario share one copy of the error classes, or the runner's
// instanceof would make it an error (exit 3).
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { repo } from '../helpers/sim-env.ts';
import { validateJUnit } from '../helpers/xmllint.ts';

const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(
  file: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Result> {
  try {
    const { stdout, stderr } = await run(file, args, { ...options, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number | string; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? String(error),
    };
  }
}

const passingTs = `import { checkExtensionState, defineScenario, type InstalledBuild } from 'sysext-lab';
import { firstExtension } from './shared.ts';

export default defineScenario({
  id: 'stays-enabled',
  title: 'The sample extension activates and stays enabled',
  report: 'none: a smoke test of the package',
  inputs: {
    from: { description: 'the app', kind: 'build', required: true, simSample: 'SXL Sample 1.0.pkg' },
  },
  checks: ['extension-activated', 'still-enabled'],
  signature: { check: 'still-enabled', description: 'lost the extension', evidence: 'systemextensionsctl list, kept' },
  async run(t) {
    const build: InstalledBuild = await t.step('install', () => t.installBuild('from'));
    const extension = firstExtension(build);
    await t.step('activate', () => t.activate(build, extension));
    await t.step('check still enabled', () =>
      checkExtensionState(t.guest, extension, 'activated enabled', { check: 'still-enabled', signal: t.signal }),
    );
  },
});
`;

// A helper module beside the scenarios: bundled into the .ts scenario, not listed as a scenario.
const sharedTs = `import type { BundleInfo, InstalledBuild } from 'sysext-lab';
export function firstExtension(build: InstalledBuild): BundleInfo {
  const extension = build.extensions[0];
  if (!extension) throw new Error('no extension in ' + build.appPath);
  return extension;
}
`;

const passingMjs = `import { defineScenario, readGuestTime } from 'sysext-lab';

export default defineScenario({
  id: 'guest-clock',
  title: 'The guest answers with its clock',
  report: 'none: a smoke test of the package',
  inputs: {},
  checks: ['guest-clock'],
  signature: { check: 'guest-clock', description: 'had no clock', evidence: 'date' },
  async run(t) {
    const now = await t.step('read the guest clock', () => readGuestTime(t.guest, { signal: t.signal }));
    t.note('guest time ' + now.at.toISOString());
  },
});
`;

const failingTs = `import { CheckFailedError, defineScenario } from 'sysext-lab';

export default defineScenario({
  id: 'always-fails',
  title: 'Fails its signature check on purpose',
  report: 'none',
  inputs: {},
  checks: ['on-purpose'],
  signature: { check: 'on-purpose', description: 'failed on purpose', evidence: 'none' },
  async run(t) {
    await t.step('fail', async () => {
      throw new CheckFailedError('on-purpose', 'this scenario fails by design', {});
    });
  },
});
`;

/** npm install from the cache when it holds everything (a machine that ran the tests before), else the registry. */
async function installTarball(project: string, tarball: string): Promise<void> {
  const args = ['install', '-D', tarball, '--no-audit', '--no-fund'];
  const offline = await exec('npm', [...args, '--offline'], { cwd: project });
  if (offline.code === 0) return;
  const online = await exec('npm', [...args, '--prefer-offline'], { cwd: project });
  if (online.code !== 0) throw new Error(`npm install failed: ${offline.stderr}\n${online.stderr}`);
}

test('npm pack installs into an empty project without tsx; init, then its own .ts and .mjs scenarios run on the sim', async (t) => {
  t.timeout(8 * 60_000);
  const dir = mkdtempSync(join(tmpdir(), 'sxl-package-'));
  // The install is 25 MB: gone with the test (an idle sim daemon of its TART_HOME exits by itself).
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const packed = await exec('npm', ['pack', '--pack-destination', dir, '--json'], { cwd: repo });
  t.is(packed.code, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
    filename: string;
    files: { path: string }[];
  }[];
  const paths = info!.files.map((f) => f.path);
  // The files list: compiled code, the sim's executables and sample builds, nothing of the sources.
  t.true(paths.includes('dist/cli.js') && paths.includes('dist/index.js') && paths.includes('dist/run.js'));
  t.true(paths.includes('dist/types/harness/index.d.ts') && paths.includes('sim/bin/tart'));
  t.true(paths.includes('sim/builds/out/SXL Sample 1.0.pkg'), paths.join('\n'));
  t.deepEqual(
    paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts')),
    [],
    'no TypeScript source ships',
  );
  t.false(
    paths.some((p) => p.startsWith('test/') || p.startsWith('harness/scenario') || p.startsWith('.sim/')),
  );

  const project = join(dir, 'project');
  mkdirSync(join(project, 'scenarios'), { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    '{ "name": "my-extension-tests", "private": true, "type": "module" }\n',
  );
  await installTarball(project, join(dir, info!.filename));
  t.false(existsSync(join(project, 'node_modules', 'tsx')), 'tsx is not installed with the package');
  t.false(existsSync(join(project, 'node_modules', 'sysext-lab', 'node_modules', 'tsx')));

  // `sysext-lab init` first, as the guide says: config, the example scenario, the CI files.
  const init = await exec('npx', ['--no-install', 'sysext-lab', 'init'], { cwd: project });
  t.is(init.code, 0, `${init.stdout}\n${init.stderr}`);
  t.true(existsSync(join(project, 'scenarios', 'example-upgrade-xpc.ts')), init.stdout);
  t.true(existsSync(join(project, 'sysext-lab.config.json')), init.stdout);
  writeFileSync(join(project, 'scenarios', 'stays-enabled.ts'), passingTs);
  writeFileSync(join(project, 'scenarios', 'shared.ts'), sharedTs);
  writeFileSync(join(project, 'scenarios', 'guest-clock.mjs'), passingMjs);
  mkdirSync(join(project, 'more'));
  writeFileSync(join(project, 'more', 'always-fails.ts'), failingTs);
  // The declarations: a user's TypeScript (with @types/node, as a Node project has) checks the
  // scenarios against the package's `types` exports, typed inputs included.
  mkdirSync(join(project, 'types'));
  symlinkSync(join(repo, 'node_modules', '@types', 'node'), join(project, 'types', 'node'));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2023',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        types: ['node'],
        typeRoots: ['./types'],
      },
      include: ['scenarios', 'more'],
    }),
  );
  const tsc = (cwd: string) =>
    exec(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd });
  const typed = await tsc(project);
  t.is(typed.code, 0, typed.stdout);
  writeFileSync(
    join(project, 'more', 'mistyped.ts'),
    passingTs.replace(
      "const build: InstalledBuild = await t.step('install'",
      "const build: string = await t.step('install'",
    ),
  );
  const mistyped = await tsc(project);
  t.regex(
    mistyped.stdout,
    /more\/mistyped\.ts\(\d+,\d+\): error TS2322: Type 'InstalledBuild' is not assignable to type 'string'/,
  );
  rmSync(join(project, 'more', 'mistyped.ts'));

  const env = {
    ...process.env,
    SXL_SIM_TART_HOME: join(dir, 'tart-home'),
    SXL_SIM_TIME_SCALE: '0',
    SXL_STATE_DIR: join(dir, 'runs'),
  };
  const npx = (args: string[]) => exec('npx', ['--no-install', 'sysext-lab', ...args], { cwd: project, env });

  // The package's --help was rendered at build time (tools/build.ts): it must be the checkout's own.
  const help = await npx(['--help']);
  t.is(help.code, 0, help.stderr);
  const { cliUsage } = await import('../../harness/cli-usage.ts');
  t.is(help.stdout, cliUsage());

  const listed = await npx(['list']);
  t.is(listed.code, 0, listed.stderr);
  t.regex(listed.stdout, /^upgrade-xpc {2,}/m);
  t.regex(listed.stdout, /^example-upgrade-xpc {2,}.* \[scenarios\/example-upgrade-xpc\.ts\]$/m);
  t.regex(
    listed.stdout,
    /^stays-enabled {2,}The sample extension activates and stays enabled \[scenarios\/stays-enabled\.ts\]$/m,
  );
  t.regex(
    listed.stdout,
    /^guest-clock {2,}The guest answers with its clock \[scenarios\/guest-clock\.mjs\]$/m,
  );
  t.notRegex(listed.stdout, /shared/);

  for (const [ref, artifacts] of [
    ['./scenarios/example-upgrade-xpc.ts', 'a-init'],
    ['./scenarios/stays-enabled.ts', 'a-ts'],
    ['./scenarios/guest-clock.mjs', 'a-mjs'],
  ] as const) {
    const result = await npx(['run', ref, '--seed', '1', '--artifacts', artifacts]);
    t.is(result.code, 0, `${ref}\n${result.stdout}\n${result.stderr}`);
    const [runDir] = readdirSync(join(project, artifacts));
    const junit = join(project, artifacts, runDir!, 'junit.xml');
    t.is(validateJUnit(junit), null, ref);
    t.regex(readFileSync(junit, 'utf8'), /tests="1"[^>]*failures="0"|failures="0"[^>]*tests="1"/, ref);
  }

  // The run API ('sysext-lab/run') from a program of the project's own.
  writeFileSync(
    join(project, 'run-one.mjs'),
    `import { loadScenario, runCommand } from 'sysext-lab/run';
const scenario = await loadScenario('./scenarios/guest-clock.mjs');
const outcome = await runCommand({
  scenario,
  backend: 'sim',
  backendSettings: { seed: 1 },
  artifactsDir: 'a-api',
  write: () => {},
});
console.log(JSON.stringify({ exitCode: outcome.exitCode, runDir: outcome.runDir }));
`,
  );
  const api = await exec(process.execPath, ['run-one.mjs'], { cwd: project, env });
  t.is(api.code, 0, api.stderr);
  const fromApi = JSON.parse(api.stdout.trim().split('\n').at(-1) ?? '{}') as {
    exitCode: number;
    runDir: string;
  };
  t.is(fromApi.exitCode, 0, api.stdout);
  t.is(validateJUnit(join(resolve(project, fromApi.runDir), 'junit.xml')), null);

  const failed = await npx(['run', 'more/always-fails.ts', '--seed', '1', '--artifacts', 'a-fail']);
  t.is(
    failed.code,
    1,
    `a CheckFailedError from the user's file is a fail (exit 1), not an error\n${failed.stdout}\n${failed.stderr}`,
  );
  const [failDir] = readdirSync(join(project, 'a-fail'));
  const summary = JSON.parse(readFileSync(join(project, 'a-fail', failDir!, 'summary.json'), 'utf8'));
  const counts = summary.scenarios[0];
  t.like(counts, { fail: 1, otherFailures: 0, error: 0 }, JSON.stringify(counts));

  // A misspelt signature stops the run before any VM: exit 2 naming the file and the check.
  writeFileSync(
    join(project, 'more', 'typo.mjs'),
    passingMjs.replace("check: 'guest-clock', description", "check: 'guest-clokc', description"),
  );
  const typo = await npx(['run', './more/typo.mjs']);
  t.is(typo.code, 2, typo.stderr);
  t.regex(
    typo.stderr,
    /Cannot load scenario \.\/more\/typo\.mjs: .*signature names check "guest-clokc", which it never declares/,
  );
});
