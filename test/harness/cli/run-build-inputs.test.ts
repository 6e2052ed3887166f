// `sysext-lab run upgrade-xpc` with .zip and .app builds, as a user passes them: both install with
// their framework symlinks and the upgrade passes (the zips used to end in ERROR: the app was named
// after the zip file). A copy of the app whose Versions/Current is a folder fails its activation
// with code 8: a product failure, not counted as the forum bug.
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { makeSampleBuilds } from '../../../sim/builds/make-sample-builds.ts';
import { sampleFrameworkDir } from '../../../sim/builds/sample-app.ts';
import { onlyRunDir, runCli } from '../../helpers/cli-run.ts';
import { makeSimEnv } from '../../helpers/sim-env.ts';

let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sxl-cli-builds-'));
  await makeSampleBuilds(dir);
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function upgrade(from: string, to: string) {
  const sim = makeSimEnv();
  const result = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--from',
    from,
    '--to',
    to,
    '--artifacts',
    sim.artifacts,
  ]);
  const transcript = await readFile(join(onlyRunDir(sim), 'iterations', '1', 'transcript.log'), 'utf8');
  return { result, transcript };
}

test('upgrade-xpc passes with the sample .zip builds; the app is the one inside the zip', async (t) => {
  const { result, transcript } = await upgrade(
    join(dir, 'SXL Sample 1.0.zip'),
    join(dir, 'SXL Sample 1.1.zip'),
  );
  t.is(result.code, 0, result.stdout + result.stderr);
  t.regex(result.stdout, /\[1\/1\] PASS/);
  t.regex(transcript, /ditto -x -k '\/Users\/admin\/sxl-stage\/SXL Sample 1\.0\.zip'/);
  t.regex(transcript, /sudo -n ditto '[^']+\/SXL Sample\.app' '\/Applications\/SXL Sample\.app'/);
  t.notRegex(transcript, /\/Applications\/SXL Sample 1\.0\.app/);
});

test('upgrade-xpc passes with .app folders that embed a framework with symlinks', async (t) => {
  const { result, transcript } = await upgrade(
    join(dir, 'SXL Sample 1.0', 'SXL Sample.app'),
    join(dir, 'SXL Sample 1.1', 'SXL Sample.app'),
  );
  t.is(result.code, 0, result.stdout + result.stderr);
  t.regex(result.stdout, /\[1\/1\] PASS/);
  // One upload of a zip made on the host, unpacked by ditto in the guest.
  t.regex(transcript, /ditto -x -k '\/Users\/admin\/sxl-stage\/SXL Sample\.app\.zip'/);
});

test('an .app whose framework has Versions/Current as a folder copy is refused by sysextd (code 8)', async (t) => {
  const broken = join(dir, 'broken', 'SXL Sample.app');
  await cp(join(dir, 'SXL Sample 1.0', 'SXL Sample.app'), broken, {
    recursive: true,
    verbatimSymlinks: true,
  });
  const current = join(dir, 'broken', sampleFrameworkDir, 'Versions', 'Current');
  await rm(current);
  await cp(join(dir, 'broken', sampleFrameworkDir, 'Versions', 'A'), current, { recursive: true });
  const { result, transcript } = await upgrade(broken, join(dir, 'SXL Sample 1.1', 'SXL Sample.app'));
  // The product's own bundle is broken: a failure, but not the forum bug the rate counts.
  t.is(result.code, 1, result.stdout + result.stderr);
  t.regex(result.stdout, /activate old extension: FAILED/);
  t.regex(result.stdout, /0 failed, 1 other failure\(s\), 0 error\(s\)/);
  t.regex(transcript, /Code=8 \\?"Code signature invalid\\?"|Code signature invalid/);
  // The same bundle with its symlink restored passes: the transport did not break it.
  await rm(current, { recursive: true });
  await symlink('A', current);
  const again = await upgrade(broken, join(dir, 'SXL Sample 1.1', 'SXL Sample.app'));
  t.is(again.result.code, 0, again.result.stdout);
});
