// readAppBundle against a simulated macOS guest over real SSH: the app's Info.plist and its
// extensions' in two SSH execs; an app without a SystemExtensions folder has none; a missing
// bundle is plutil's CommandError, as readBundleInfo's is.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CommandError } from '../../../harness/errors.ts';
import { readAppBundle, readBundleInfo } from '../../../harness/macos/bundle-info.ts';
import { installBuild } from '../../../harness/macos/install-build.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { makeSampleBuilds } from '../../../sim/builds/make-sample-builds.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';

let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sxl-bundle-info-'));
  await makeSampleBuilds(dir);
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function installedSample() {
  const vm = await bootTestGuest();
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  const build = await installBuild(guest, join(dir, 'SXL Sample 1.0.pkg'), {
    stagingDir: '/Users/admin/sxl-stage',
  });
  return {
    guest,
    build,
    [Symbol.asyncDispose]: async () => {
      guest.close();
      await vm.guest.powerOff();
    },
  };
}

test('the app, its extension and its signature in two SSH execs, as readBundleInfo reads each', async (t) => {
  await using s = await installedSample();
  let execs = 0;
  s.guest.onExec((record) => {
    if (!record.batch || record.batch.index === 1) execs += 1;
  });
  const { app, extensions, signing } = await readAppBundle(s.guest, s.build.appPath);
  t.is(execs, 2);
  t.regex(signing, /^Team ID SXLAB12345; /);
  t.deepEqual(app, await readBundleInfo(s.guest, s.build.appPath));
  t.is(extensions.length, 1);
  t.deepEqual(extensions[0], await readBundleInfo(s.guest, extensions[0]!.path));
  t.is(extensions[0]!.bundleId, 'com.example.sxl.app.proxy');
});

test('an app without a SystemExtensions folder has no extensions; a missing bundle is a CommandError', async (t) => {
  await using s = await installedSample();
  await s.guest.exec(['sudo', '-n', 'rm', '-rf', `${s.build.appPath}/Contents/Library/SystemExtensions`]);
  const { app, extensions } = await readAppBundle(s.guest, s.build.appPath);
  t.is(app.bundleId, 'com.example.sxl.app');
  t.deepEqual(extensions, []);
  const error = await t.throwsAsync(readAppBundle(s.guest, '/Applications/Nothing Here.app'), {
    instanceOf: CommandError,
  });
  t.regex(
    error.message,
    /plutil -convert json -o - '\/Applications\/Nothing Here\.app\/Contents\/Info\.plist'/,
  );
});
