// readAppBundle against a simulated macOS guest over real SSH: the app's Info.plist and its
// extensions' in two SSH execs; an app without a SystemExtensions folder has none; a missing
// bundle is plutil's CommandError.
import { join } from 'node:path';
import test from 'ava';
import { CommandError } from '../../../harness/errors.ts';
import { bundleInfoFrom, plutilCommand, readAppBundle } from '../../../harness/macos/bundle-info.ts';
import { installBuild } from '../../../harness/macos/install-build.ts';
import type { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { connectedGuest, sampleBuilds } from '../../helpers/activated-guest.ts';

let builds: Awaited<ReturnType<typeof sampleBuilds>>;
test.before(async () => {
  builds = await sampleBuilds();
});
test.after.always(() => builds?.remove());

async function installedSample() {
  const connected = await connectedGuest();
  const build = await installBuild(connected.guest, join(builds.dir, 'SXL Sample 1.0.pkg'), {
    stagingDir: '/Users/admin/sxl-stage',
  });
  return { guest: connected.guest, build, [Symbol.asyncDispose]: () => connected[Symbol.asyncDispose]() };
}

/** One bundle's Info.plist in an SSH exec of its own: what the batched reads must agree with. */
async function readOneBundle(guest: GuestSession, path: string) {
  return bundleInfoFrom(await guest.exec(plutilCommand(path), { allowFailure: true }), path, guest.target);
}

test('the app, its extension and its signature in two SSH execs, as one exec per bundle reads each', async (t) => {
  await using s = await installedSample();
  let execs = 0;
  s.guest.onExec((record) => {
    if (!record.batch || record.batch.index === 1) execs += 1;
  });
  const { app, extensions, signing } = await readAppBundle(s.guest, s.build.appPath);
  t.is(execs, 2);
  t.regex(signing, /^Team ID SXLAB12345; /);
  t.deepEqual(app, await readOneBundle(s.guest, s.build.appPath));
  t.is(extensions.length, 1);
  t.deepEqual(extensions[0], await readOneBundle(s.guest, extensions[0]!.path));
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
