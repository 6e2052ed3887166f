// `sysext-lab init` in an empty folder and in an existing project: it writes every file, never
// overwrites one without --force (and lists what it skipped), and adds its npm script or Makefile
// target without losing anything else in those files.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { parseProjectConfig } from '../../../harness/config/project-config.ts';
import { cli } from '../../helpers/sim-env.ts';

const run = promisify(execFile);

const WRITTEN = [
  'sysext-lab.config.json',
  'scenarios/example-upgrade-xpc.ts',
  '.github/workflows/sysext-lab.yml',
  '.gitlab-ci.yml',
  'Jenkinsfile',
];

async function init(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [cli, 'init', ...args], cwd ? { cwd } : {});
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'sxl-init-'));

test('init in an empty folder writes the config, the example, a package.json script, the CI files', async (t) => {
  const dir = join(tempDir(), 'my-vpn');
  const result = await init([dir]);
  t.is(result.code, 0, result.stderr);
  for (const path of WRITTEN) {
    t.true(existsSync(join(dir, path)), path);
    t.regex(result.stdout, new RegExp(`^ {2}created +${path.replaceAll('.', '\\.')}$`, 'm'));
  }
  // The config it writes is one that `run` reads, and says what a run uses without it.
  const config = parseProjectConfig(
    JSON.parse(readFileSync(join(dir, 'sysext-lab.config.json'), 'utf8')),
    join(dir, 'sysext-lab.config.json'),
  );
  t.is(config.backend, 'sim');
  t.deepEqual(config.images, ['ghcr.io/cirruslabs/macos-sequoia-base:latest']);
  t.is(config.approval, 'auto');
  t.is(config.artifactsDir, join(dir, 'artifacts'));
  t.deepEqual(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')), {
    name: 'my-vpn',
    private: true,
    type: 'module',
    scripts: { 'sysext-lab': 'sysext-lab run ./scenarios/example-upgrade-xpc.ts' },
  });
  t.is(readFileSync(join(dir, '.gitignore'), 'utf8'), '# sysext-lab run directories\nartifacts/\n');
  t.regex(result.stdout, /^Next: `npm run sysext-lab` runs the example/m);
});

test('init in an existing project: skips what exists, keeps package.json whole; --force overwrites', async (t) => {
  const dir = tempDir();
  const manifest = {
    name: 'acme-filter',
    version: '3.1.0',
    scripts: { build: 'xcodebuild', 'sysext-lab': 'echo mine' },
    devDependencies: { 'sysext-lab': 'file:sysext-lab-0.1.0.tgz' },
    custom: { nested: [1, 2] },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 4)}\n`);
  const ourPipeline = 'build:\n  script: [make]\n';
  writeFileSync(join(dir, '.gitlab-ci.yml'), ourPipeline);
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\n/artifacts');
  mkdirSync(join(dir, 'scenarios'));
  writeFileSync(join(dir, 'scenarios', 'example-upgrade-xpc.ts'), '// mine\n');

  const first = await init([], dir);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /^ {2}skipped +\.gitlab-ci\.yml \(exists; --force overwrites it\)$/m);
  t.regex(
    first.stdout,
    /^ {2}skipped +scenarios\/example-upgrade-xpc\.ts \(exists; --force overwrites it\)$/m,
  );
  t.regex(
    first.stdout,
    /^ {2}skipped +package\.json \(it has a "sysext-lab" script already; --force replaces it\)$/m,
  );
  t.regex(first.stdout, /^ {2}skipped +\.gitignore \(it ignores artifacts\/ already\)$/m);
  t.regex(first.stdout, /^ {2}created +Jenkinsfile$/m);
  t.regex(first.stdout, /^3 left as they were; --force overwrites files that exist\.$/m);
  t.is(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'), ourPipeline);
  t.is(readFileSync(join(dir, 'scenarios', 'example-upgrade-xpc.ts'), 'utf8'), '// mine\n');
  t.is(readFileSync(join(dir, 'package.json'), 'utf8'), `${JSON.stringify(manifest, null, 4)}\n`);

  const forced = await init(['--force'], dir);
  t.is(forced.code, 0, forced.stderr);
  t.regex(forced.stdout, /^ {2}overwritten +\.gitlab-ci\.yml$/m);
  t.regex(forced.stdout, /^ {2}replaced +package\.json \(script: npm run sysext-lab\)$/m);
  t.regex(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'), /^sysext-lab:$/m);
  t.regex(readFileSync(join(dir, 'scenarios', 'example-upgrade-xpc.ts'), 'utf8'), /from 'sysext-lab';/);
  // Everything else in package.json as it was, its four-space indentation too.
  t.is(
    readFileSync(join(dir, 'package.json'), 'utf8'),
    `${JSON.stringify(
      {
        ...manifest,
        scripts: { build: 'xcodebuild', 'sysext-lab': 'sysext-lab run ./scenarios/example-upgrade-xpc.ts' },
      },
      null,
      4,
    )}\n`,
  );
});

test('a project without the script gets it added; one with it already is left alone', async (t) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'package.json'), '{"name":"x","scripts":{"test":"ava"}}');
  t.is((await init([], dir)).code, 0);
  const added = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  t.deepEqual(added.scripts, {
    test: 'ava',
    'sysext-lab': 'sysext-lab run ./scenarios/example-upgrade-xpc.ts',
  });
  t.is(added.type, undefined, 'the module type of an existing project is not changed');
  const again = await init([], dir);
  t.regex(again.stdout, /^ {2}skipped +package\.json \(the script is there already\)$/m);
  t.regex(again.stdout, /^5 left as they were/m);
});

test('a project with a Makefile gets a target instead, and keeps its own rules', async (t) => {
  const dir = tempDir();
  const makefile = 'all: build\n\nbuild:\n\txcodebuild -scheme App\n';
  writeFileSync(join(dir, 'Makefile'), makefile);
  const result = await init([], dir);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^ {2}added +Makefile \(script: make sysext-lab\)$/m);
  t.false(existsSync(join(dir, 'package.json')));
  const written = readFileSync(join(dir, 'Makefile'), 'utf8');
  t.true(written.startsWith(makefile));
  // make itself reads the rule: the run command with ARGS appended.
  const { stdout } = await run('make', ['-n', '-C', dir, 'sysext-lab', 'ARGS=--repeat 3']);
  t.regex(stdout, /^npx sysext-lab run \.\/scenarios\/example-upgrade-xpc\.ts --repeat 3$/m);
  t.regex(
    (await init([], dir)).stdout,
    /skipped +Makefile \(it has a "sysext-lab" target already; --force replaces it\)/,
  );

  writeFileSync(
    join(dir, 'Makefile'),
    `${makefile}\nsysext-lab:\n\techo old\n\techo older\n\nlast:\n\ttrue\n`,
  );
  t.is((await init(['--force'], dir)).code, 0);
  const replaced = readFileSync(join(dir, 'Makefile'), 'utf8');
  t.notRegex(replaced, /echo old/);
  t.regex(replaced, /^last:\n\ttrue$/m);
  t.true(replaced.startsWith(makefile));
  const forced = await run('make', ['-n', '-C', dir, 'sysext-lab']);
  t.regex(forced.stdout, /^npx sysext-lab run \.\/scenarios\/example-upgrade-xpc\.ts *$/m);
});

test('init takes one folder at most', async (t) => {
  const result = await init(['a', 'b']);
  t.is(result.code, 2);
  t.regex(result.stderr, /init takes at most one folder, got 2: a b/);
});
