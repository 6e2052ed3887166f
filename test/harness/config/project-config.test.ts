// sysext-lab.config.json read and checked: relative paths resolve against the file's folder, every
// mistake names the file, the key, what is expected and what was got; the config fills only what
// the flags left out.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  flagsWithProjectConfig,
  projectBuildInputs,
  projectConfigArgs,
} from '../../../harness/config/apply-project-config.ts';
import { loadProjectConfig } from '../../../harness/config/load-project-config.ts';
import { emptyProjectConfig, parseProjectConfig } from '../../../harness/config/project-config.ts';
import { ConfigError } from '../../../harness/errors.ts';
import upgradeXpc from '../../../scenarios/upgrade-xpc.ts';
import { sampleBuilds } from '../../helpers/sim-env.ts';

function project(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-config-'));
  writeFileSync(
    join(dir, 'sysext-lab.config.json'),
    typeof config === 'string' ? config : JSON.stringify(config),
  );
  return dir;
}

test('a full config: paths resolve against its folder, lists stay lists', (t) => {
  const dir = project({
    image: ['ghcr.io/cirruslabs/macos-sequoia-base:latest', 'sxl-tahoe'],
    backend: 'tart',
    builds: { from: 'builds/App-1.0.pkg', to: '/abs/App-1.1.zip' },
    approval: 'database',
    redactEnv: ['MY_TOKEN'],
    artifactsDir: 'out/sxl',
  });
  const config = loadProjectConfig({ cwd: dir });
  t.deepEqual(config, {
    file: join(dir, 'sysext-lab.config.json'),
    images: ['ghcr.io/cirruslabs/macos-sequoia-base:latest', 'sxl-tahoe'],
    backend: 'tart',
    builds: { from: join(dir, 'builds', 'App-1.0.pkg'), to: '/abs/App-1.1.zip' },
    approval: 'database',
    redactEnv: ['MY_TOKEN'],
    artifactsDir: join(dir, 'out', 'sxl'),
  });
});

test('no config file in the folder: the empty config; --config names one that must exist', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-config-'));
  t.is(loadProjectConfig({ cwd: dir }), emptyProjectConfig);
  const error = t.throws(() => loadProjectConfig({ cwd: dir, file: 'ci.json' }), {
    instanceOf: ConfigError,
  });
  t.regex(error.message, /^Cannot read the config .*ci\.json: ENOENT$/);
});

test('a config named by --config is read from anywhere, relative to the current folder', (t) => {
  const dir = project({ backend: 'sim' });
  mkdirSync(join(dir, 'sub'));
  const config = loadProjectConfig({ cwd: join(dir, 'sub'), file: '../sysext-lab.config.json' });
  t.is(config.backend, 'sim');
});

for (const [json, pattern] of [
  ['{"image": "a",', /^Invalid JSON in the config .*sysext-lab\.config\.json: /],
  ['[1]', /^Invalid config in .*: expected a JSON object with any of image, backend, .* got \[1\]$/],
  [
    { backend: 'vmware' },
    /^Invalid "backend" in .*sysext-lab\.config\.json: expected one of sim, tart.*, got "vmware"$/,
  ],
  [
    { approval: 'click' },
    /^Invalid "approval" in .*: expected one of ui, database, preapproved, auto, got "click"$/,
  ],
  [{ image: '' }, /^Invalid "image" in .*: expected an image reference .* got ""$/],
  [{ image: ['a,b'] }, /^Invalid "image" in .*: expected .* got \["a,b"\]$/],
  [
    { builds: ['a.pkg'] },
    /^Invalid "builds" in .*: expected an object of build paths by role.* got \["a\.pkg"\]$/,
  ],
  [{ builds: { from: 3 } }, /^Invalid "builds\.from" in .*: expected the path of a \.pkg.* got 3$/],
  [
    { redactEnv: 'TOKEN' },
    /^Invalid "redactEnv" in .*: expected a list of environment variable names.* got "TOKEN"$/,
  ],
  [{ redactEnv: ['MY-TOKEN'] }, /^Invalid "redactEnv" .* got \["MY-TOKEN"\]$/],
  [
    { artifactsDir: 7 },
    /^Invalid "artifactsDir" in .*: expected the folder where run directories go.* got 7$/,
  ],
  [
    { artifacts: 'out' },
    /^Unknown key "artifacts" in .*sysext-lab\.config\.json: expected image, backend, builds, approval, redactEnv, artifactsDir$/,
  ],
] as const) {
  test(`config ${typeof json === 'string' ? json : JSON.stringify(json)}: a ConfigError that says so`, (t) => {
    const dir = project(json);
    const error = t.throws(() => loadProjectConfig({ cwd: dir }), { instanceOf: ConfigError });
    t.regex(error.message, pattern);
  });
}

test('flags win over the config; --redact-env adds to its list', (t) => {
  const config = parseProjectConfig(
    {
      image: ['a', 'b'],
      backend: 'tart',
      approval: 'ui',
      redactEnv: ['A_TOKEN', 'B_TOKEN'],
      artifactsDir: '/runs',
    },
    '/p/sysext-lab.config.json',
  );
  t.deepEqual(flagsWithProjectConfig({ 'redact-env': [] }, config), {
    backend: 'tart',
    image: 'a,b',
    approval: 'ui',
    artifacts: '/runs',
    'redact-env': ['A_TOKEN', 'B_TOKEN'],
  });
  t.deepEqual(
    flagsWithProjectConfig(
      {
        backend: 'sim',
        image: 'c',
        approval: 'database',
        artifacts: 'x',
        'redact-env': ['B_TOKEN', 'C_TOKEN'],
      },
      config,
    ),
    {
      backend: 'sim',
      image: 'c',
      approval: 'database',
      artifacts: 'x',
      'redact-env': ['A_TOKEN', 'B_TOKEN', 'C_TOKEN'],
    },
  );
  t.deepEqual(flagsWithProjectConfig({ 'redact-env': [] }, emptyProjectConfig), {
    backend: undefined,
    image: undefined,
    approval: undefined,
    artifacts: undefined,
    'redact-env': [],
  });
});

test('builds: used for the build inputs the scenario takes and the flags left out; an unusable one names the config key', async (t) => {
  const from = join(sampleBuilds, 'SXL Sample 1.0.pkg');
  const file = '/p/sysext-lab.config.json';
  const config = parseProjectConfig({ builds: { from, to: '/nowhere/App.pkg', extra: from } }, file);
  // --to given: the config's broken `to` is not read; `extra` is no input of upgrade-xpc.
  t.deepEqual(await projectBuildInputs(upgradeXpc, { to: '/given.pkg' }, config), { from });
  const error = await t.throwsAsync(projectBuildInputs(upgradeXpc, {}, config), { instanceOf: ConfigError });
  t.regex(
    error.message,
    /^Unusable build "builds\.to" in \/p\/sysext-lab\.config\.json for upgrade-xpc: "\/nowhere\/App\.pkg" does not exist/,
  );
});

test('what the config gave, spelt as flags for the recorded command; what the flags gave is not repeated', (t) => {
  const config = parseProjectConfig(
    {
      image: ['a', 'b'],
      backend: 'tart',
      approval: 'ui',
      redactEnv: ['A_TOKEN', 'B_TOKEN'],
      artifactsDir: '/runs',
    },
    '/p/sysext-lab.config.json',
  );
  t.deepEqual(
    projectConfigArgs({ backend: 'sim', 'redact-env': ['B_TOKEN'] }, config, {
      from: '/b/1.pkg',
      extra: '/b/x.zip',
    }),
    [
      '--image',
      'a,b',
      '--approval',
      'ui',
      '--artifacts',
      '/runs',
      '--redact-env',
      'A_TOKEN',
      '--from',
      '/b/1.pkg',
      '--input',
      'extra=/b/x.zip',
    ],
  );
  t.deepEqual(projectConfigArgs({ 'redact-env': [] }, emptyProjectConfig, {}), []);
});
