// `sysext-lab run` in a project with sysext-lab.config.json: its image, builds, redactions and artifacts
// folder are used, a flag given wins over each, and a broken config is a usage error (exit 2) that
// names the file and the key, before any VM.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { quoteArg } from '../../../harness/ssh/shell-quote.ts';
import { cli, makeSimEnv, type SimEnv, sampleBuilds } from '../../helpers/sim-env.ts';

const run = promisify(execFile);
const token = 'cfg-Token-7f3a9c';

/** A project folder in the sim's folder, with its config and a copy of the sample builds. */
function project(sim: SimEnv, config: Record<string, unknown>): string {
  const dir = join(sim.dir, 'project');
  mkdirSync(join(dir, 'builds'), { recursive: true });
  copyFileSync(join(sampleBuilds, 'SXL Sample 1.0.pkg'), join(dir, 'builds', 'App-1.0.pkg'));
  copyFileSync(join(sampleBuilds, 'SXL Sample 1.1.pkg'), join(dir, 'builds', 'App-1.1.pkg'));
  writeFileSync(join(dir, 'sysext-lab.config.json'), JSON.stringify(config, null, 2));
  return dir;
}

async function sxl(
  sim: SimEnv,
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [cli, ...args], { cwd, env: { ...sim.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function onlyRun(folder: string): {
  dir: string;
  manifest: {
    image: string;
    backend: string;
    builds: { role: string; path: string }[];
    command: string[];
  };
} {
  const runs = readdirSync(folder);
  if (runs.length !== 1) throw new Error(`expected one run in ${folder}, found ${runs.join(', ')}`);
  const dir = join(folder, runs[0]!);
  return { dir, manifest: JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) };
}

test('the config gives the image, the builds (relative to it), the redactions and the artifacts folder; --backend wins', async (t) => {
  const sim = makeSimEnv();
  const dir = project(sim, {
    image: 'ghcr.io/cirruslabs/macos-tahoe-base:latest',
    // The flag below wins: tart is not installed here, a run on it would not start.
    backend: 'tart',
    builds: { from: 'builds/App-1.0.pkg', to: 'builds/App-1.1.pkg' },
    redactEnv: ['SXL_CFG_TOKEN'],
    artifactsDir: 'out',
  });
  const result = await sxl(
    sim,
    dir,
    [
      'run',
      'upgrade-xpc',
      '--backend',
      'sim',
      '--input',
      `probe-command=printf '%s\\n' ${quoteArg(token)}; false`,
    ],
    { SXL_CFG_TOKEN: token },
  );
  // The probe fails the check before the upgrade: a failed check, the token masked where it is printed.
  t.is(result.code, 1, result.stdout + result.stderr);
  t.regex(result.stdout, /FAIL .*\[REDACTED:SXL_CFG_TOKEN\]/);
  t.false(result.stdout.includes(token));
  const { dir: runDir, manifest } = onlyRun(join(dir, 'out'));
  t.false(readFileSync(join(runDir, 'junit.xml'), 'utf8').includes(token));
  t.is(manifest.image, 'ghcr.io/cirruslabs/macos-tahoe-base:latest');
  t.is(manifest.backend, 'sim');
  t.deepEqual(
    manifest.builds.map((b) => [b.role, b.path]),
    [
      ['from', join(dir, 'builds', 'App-1.0.pkg')],
      ['to', join(dir, 'builds', 'App-1.1.pkg')],
    ],
  );
  t.false(existsSync(join(dir, 'artifacts')));
  // The recorded command spells out what the config gave (not the overridden backend): it repeats the run without the file.
  t.deepEqual(manifest.command.slice(7), [
    '--image',
    'ghcr.io/cirruslabs/macos-tahoe-base:latest',
    '--artifacts',
    join(dir, 'out'),
    '--redact-env',
    'SXL_CFG_TOKEN',
    '--from',
    join(dir, 'builds', 'App-1.0.pkg'),
    '--to',
    join(dir, 'builds', 'App-1.1.pkg'),
  ]);
});

test('flags win over the config: --to over builds.to (which is then not even read), --artifacts over artifactsDir', async (t) => {
  const sim = makeSimEnv();
  const dir = project(sim, {
    builds: { from: 'builds/App-1.0.pkg', to: 'builds/missing.pkg' },
    artifactsDir: 'out',
  });
  const result = await sxl(sim, dir, [
    'run',
    'upgrade-xpc',
    '--to',
    join(dir, 'builds', 'App-1.1.pkg'),
    '--artifacts',
    'flagged',
  ]);
  t.is(result.code, 0, result.stdout + result.stderr);
  const { manifest } = onlyRun(join(dir, 'flagged'));
  t.deepEqual(
    manifest.builds.map((b) => b.path),
    [join(dir, 'builds', 'App-1.0.pkg'), join(dir, 'builds', 'App-1.1.pkg')],
  );
  t.false(existsSync(join(dir, 'out')));

  // Without --to, the config's broken build is a usage error that names it, and nothing is made.
  const broken = await sxl(sim, dir, ['run', 'upgrade-xpc']);
  t.is(broken.code, 2, broken.stdout + broken.stderr);
  t.regex(
    broken.stderr,
    /^sysext-lab: Unusable build "builds\.to" in \S+\/sysext-lab\.config\.json for upgrade-xpc: "\S+\/builds\/missing\.pkg" does not exist/m,
  );
  t.false(existsSync(join(dir, 'out')));
});

test('a broken config, one named by --config, a missing --config file: exit 2 naming the file and the key, no VM, no folder', async (t) => {
  const sim = makeSimEnv();
  const dir = project(sim, { approval: 'click', artifactsDir: 'out' });
  const bad = await sxl(sim, dir, ['run', 'upgrade-xpc']);
  t.is(bad.code, 2);
  t.regex(
    bad.stderr,
    /^sysext-lab: Invalid "approval" in \S+\/project\/sysext-lab\.config\.json: expected one of ui, database, preapproved, auto, got "click"$/m,
  );
  // --config names the file read instead of ./sysext-lab.config.json.
  writeFileSync(join(dir, 'nightly.json'), JSON.stringify({ backend: 'vmware' }));
  const named = await sxl(sim, dir, ['run', 'upgrade-xpc', '--config', 'nightly.json']);
  t.is(named.code, 2);
  t.regex(
    named.stderr,
    /^sysext-lab: Invalid "backend" in \S+\/project\/nightly\.json: expected one of sim, tart/m,
  );
  const missing = await sxl(sim, dir, ['run', 'upgrade-xpc', '--config', 'ci.json']);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /^sysext-lab: Cannot read the config \S+\/project\/ci\.json: ENOENT$/m);
  t.false(existsSync(join(dir, 'out')));
  t.false(existsSync(join(dir, 'artifacts')));
  const vms = join(sim.tartHome, 'vms');
  t.false(existsSync(vms) && readdirSync(vms).length > 0, 'no VM was cloned');
});
