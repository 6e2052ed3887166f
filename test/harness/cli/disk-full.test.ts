// Issue 12, item 3: artifacts on a filesystem that fills up mid-iteration (a 160 KB tmpfs, so root
// only; skipped with a message otherwise). The run ends with exit 3 and one line per problem, no
// stack trace, no *.tmp left, no VM left, its marker removed, and a junit.xml that is not green; and
// results.json holds every iteration the console finished (the report reserve; without it,
// results.json held 0 or 1 of 4).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runCli, sxlVms } from '../../helpers/cli-run.ts';
import { makeSimEnv } from '../../helpers/sim-env.ts';

function mountTmpfs(size: string): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sxl-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return undefined;
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Runs upgrade-xpc with every iteration failing and collecting evidence, on a 160 KB tmpfs. */
async function runOnFullDisk(t: import('ava').ExecutionContext, extra: string[]) {
  const artifacts = mountTmpfs('160k');
  if (!artifacts) return undefined;
  t.teardown(() => execFileSync('umount', [artifacts]));
  const sim = makeSimEnv();
  const result = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--quirk',
    'xpc-endpoint-lost-on-upgrade=1',
    '--evidence',
    'always',
    '--artifacts',
    artifacts,
    ...extra,
  ]);
  const finished = result.stdout.match(/^\[\d+\/\d+\] (PASS|FAIL|ERROR) in /gm) ?? [];
  return { sim, result, finished, files: filesUnder(artifacts) };
}

const skipped = 'skipped: mounting a small tmpfs needs root (and mount in this container)';

test('a full disk mid-iteration: exit 3 in one line per problem, VMs deleted, no temporary files, junit not green, no result lost', async (t) => {
  const run = await runOnFullDisk(t, ['--repeat', '4', '--parallel', '2']);
  if (!run) {
    t.log(skipped);
    t.pass();
    return;
  }
  const { sim, result, finished, files } = run;
  t.is(result.code, 3, result.stdout + result.stderr);
  t.regex(result.stderr, /Could not write a report in .*: ENOSPC/);
  t.notRegex(result.stderr, /^\s+at /m, 'no stack trace');
  t.deepEqual(await sxlVms(sim), []);
  t.deepEqual(readdirSync(join(sim.dir, 'runs')), [], 'the run marker is removed');
  t.deepEqual(
    files.filter((f) => /\.tmp$|\.redacting$/.test(f)),
    [],
  );
  const results = files.find((f) => f.endsWith('results.json'));
  t.truthy(results);
  const recorded = JSON.parse(readFileSync(results!, 'utf8')) as { results: unknown[] };
  t.is(recorded.results.length, finished.length, 'results.json holds every iteration the console finished');
  t.false(
    files.some((f) => f.endsWith('.report-reserve')),
    'the reserve is given back',
  );
  const junit = files.find((f) => f.endsWith('junit.xml'));
  t.truthy(junit);
  t.notRegex(readFileSync(junit!, 'utf8'), /<testsuites[^>]* failures="0" errors="0"/);
});

test('a full disk: no iteration starts once a report could not be written, and every one that ran is kept', async (t) => {
  const run = await runOnFullDisk(t, ['--repeat', '6', '--parallel', '1']);
  if (!run) {
    t.log(skipped);
    t.pass();
    return;
  }
  const { result, finished, files } = run;
  t.is(result.code, 3, result.stdout + result.stderr);
  t.regex(result.stdout, /Run stopped: the artifacts filesystem is full/);
  t.true(finished.length < 6, result.stdout);
  const recorded = JSON.parse(readFileSync(files.find((f) => f.endsWith('results.json'))!, 'utf8')) as {
    results: unknown[];
  };
  t.is(recorded.results.length, finished.length);
});
