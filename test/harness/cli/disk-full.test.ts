// Issue 12, item 3: artifacts on a filesystem that fills up mid-iteration (a 160 KB tmpfs, so root
// only; skipped with a message otherwise). The run ends with exit 3 and one line per problem, no
// stack trace, no *.tmp left, no VM left, its marker removed, and a junit.xml that is not green.
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

test('a full disk mid-iteration: exit 3 in one line per problem, VMs deleted, no temporary files, junit not green', async (t) => {
  const artifacts = mountTmpfs('160k');
  if (!artifacts) {
    t.log('skipped: mounting a small tmpfs needs root (and mount in this container)');
    t.pass();
    return;
  }
  t.teardown(() => execFileSync('umount', [artifacts]));
  const sim = makeSimEnv();
  const result = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--repeat',
    '2',
    '--quirk',
    'xpc-endpoint-lost-on-upgrade=1',
    '--evidence',
    'always',
    '--artifacts',
    artifacts,
  ]);
  t.is(result.code, 3, result.stdout + result.stderr);
  t.regex(result.stderr, /Could not write a report in .*: ENOSPC/);
  t.notRegex(result.stderr, /^\s+at /m, 'no stack trace');
  t.deepEqual(await sxlVms(sim), []);
  t.deepEqual(readdirSync(join(sim.dir, 'runs')), [], 'the run marker is removed');
  const files = filesUnder(artifacts);
  t.deepEqual(
    files.filter((f) => /\.tmp$|\.redacting$/.test(f)),
    [],
  );
  const junit = files.find((f) => f.endsWith('junit.xml'));
  t.truthy(junit);
  t.notRegex(readFileSync(junit!, 'utf8'), /<testsuites[^>]* failures="0" errors="0"/);
});
