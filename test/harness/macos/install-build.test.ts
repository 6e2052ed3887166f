// installBuild against a simulated macOS guest over real SSH: .zip and .app inputs arrive with their
// symlinks (the framework's signature still verifies), the app is named by the zip's contents, and
// a package that installs to / is found through the receipt path `Applications/X.app`.
import { copyFile, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ConfigError } from '../../../harness/errors.ts';
import { zipBundle } from '../../../harness/macos/bundle-archive.ts';
import { installBuild } from '../../../harness/macos/install-build.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { readTree, treeListing } from '../../../sim/builds/app-folder.ts';
import { writeFlatPackage } from '../../../sim/builds/flat-package.ts';
import { makeSampleBuilds } from '../../../sim/builds/make-sample-builds.ts';
import {
  renderSampleApp,
  sampleApp,
  sampleBuilds,
  sampleFrameworkDir,
} from '../../../sim/builds/sample-app.ts';
import { decodeZip, encodeZip } from '../../../sim/builds/zip-archive.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';
import { crossTitle, runTool, testWithTools } from '../../sim/builds/tools.ts';

let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sxl-install-'));
  await makeSampleBuilds(dir);
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const APP = '/Applications/SXL Sample.app';
const CURRENT = `/Applications/${sampleFrameworkDir}/Versions/Current`;
const stagingDir = '/Users/admin/sxl-stage';

async function session() {
  const vm = await bootTestGuest();
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  return {
    guest,
    [Symbol.asyncDispose]: async () => {
      guest.close();
      await vm.guest.powerOff();
    },
  };
}

async function verifiesDeeply(guest: GuestSession): Promise<boolean> {
  const r = await guest.exec(['codesign', '--verify', '--deep', '--strict', APP], { allowFailure: true });
  return r.exitCode === 0;
}

test('an .app folder is zipped with its symlinks, unpacked with ditto and still verifies', async (t) => {
  await using s = await session();
  const build = await installBuild(s.guest, join(dir, 'SXL Sample 1.0', 'SXL Sample.app'), { stagingDir });
  t.is(build.appPath, APP);
  t.is(build.app.shortVersion, '1.0');
  t.deepEqual(
    build.extensions.map((e) => e.bundleId),
    ['com.example.sxl.app.proxy'],
  );
  t.is((await s.guest.exec(['readlink', CURRENT])).stdout, 'A\n');
  t.true(await verifiesDeeply(s.guest));
  // The next version replaces the bundle rather than merging into it.
  const next = await installBuild(s.guest, join(dir, 'SXL Sample 1.1', 'SXL Sample.app/'), { stagingDir });
  t.is(next.app.shortVersion, '1.1');
  t.true(await verifiesDeeply(s.guest));
});

test('a .zip is named by the app inside it, not by the zip file', async (t) => {
  await using s = await session();
  const renamed = join(dir, 'MyVPN-1.5.zip');
  await copyFile(join(dir, 'SXL Sample 1.1.zip'), renamed);
  const build = await installBuild(s.guest, renamed, { stagingDir });
  t.is(build.appPath, APP);
  t.is(build.app.bundleVersion, '110');
  t.is((await s.guest.exec(['readlink', CURRENT])).stdout, 'A\n');
  t.true(await verifiesDeeply(s.guest));
  t.is(
    (await s.guest.exec(['test', '-e', '/Applications/MyVPN-1.5.app'], { allowFailure: true })).exitCode,
    1,
  );
});

test('a .zip without an app at its top is a ConfigError that names the zip and its contents', async (t) => {
  await using s = await session();
  const empty = join(dir, 'notes.zip');
  await writeFile(empty, await encodeZip([{ path: 'docs/readme.txt', content: 'hi\n' }]));
  const error = await t.throwsAsync(installBuild(s.guest, empty, { stagingDir }), {
    instanceOf: ConfigError,
  });
  t.regex(error.message, /notes\.zip has no \.app at the top of its zip .*the zip's top level: docs$/);
});

test('a package that installs to / is found through its receipt path Applications/X.app', async (t) => {
  await using s = await session();
  const files = await renderSampleApp(sampleBuilds[0]!);
  const pkg = join(dir, 'root-install.pkg');
  await writeFlatPackage(pkg, {
    identifier: 'com.example.sxl.rootpkg',
    version: '1.0',
    title: 'SXL Sample',
    installLocation: '/',
    files: files.map((f) => ({ ...f, path: `Applications/${f.path}` })),
  });
  const build = await installBuild(s.guest, pkg, { stagingDir });
  t.is(build.appPath, APP);
  const info = (await s.guest.exec(['pkgutil', '--pkg-info', 'com.example.sxl.rootpkg'])).stdout;
  t.regex(info, /^location: \/$/m);
  const listed = (await s.guest.exec(['pkgutil', '--files', 'com.example.sxl.rootpkg'])).stdout.split('\n');
  t.true(listed.includes('Applications/SXL Sample.app'));
  t.false(listed.includes('SXL Sample.app'));
  t.true(await verifiesDeeply(s.guest));
});

test('the sample package (install location /Applications) is found through SXL Sample.app', async (t) => {
  await using s = await session();
  const build = await installBuild(s.guest, join(dir, 'SXL Sample 1.0.pkg'), { stagingDir });
  t.is(build.appPath, APP);
  t.regex(
    (await s.guest.exec(['pkgutil', '--pkg-info', sampleApp.packageId])).stdout,
    /^location: Applications$/m,
  );
  t.true(await verifiesDeeply(s.guest));
});

test('with another package receipt on the guest, the app comes from the receipt just written', async (t) => {
  await using s = await session();
  const files = await renderSampleApp(sampleBuilds[0]!);
  const other = join(dir, 'other-tool.pkg');
  await writeFlatPackage(other, {
    identifier: 'com.example.othertool',
    version: '1.0',
    title: 'Other Tool',
    installLocation: '/Applications',
    files: files.map((f) => ({ ...f, path: f.path.replace(/^SXL Sample\.app/, 'Other Tool.app') })),
  });
  t.is((await installBuild(s.guest, other, { stagingDir })).appPath, '/Applications/Other Tool.app');
  // Receipts have one-second resolution: the second install must be a second later to be told apart.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const commands: string[] = [];
  s.guest.onExec((record) => commands.push(record.command));
  const build = await installBuild(s.guest, join(dir, 'SXL Sample 1.0.pkg'), { stagingDir });
  t.is(build.appPath, APP);
  t.is(build.app.bundleId, 'com.example.sxl.app');
  // Two receipts to tell apart: only the recent one's file list is read.
  t.deepEqual(
    commands.filter((command) => command.startsWith('pkgutil --files')),
    [`pkgutil --files ${sampleApp.packageId}`],
  );
});

test('zipBundle writes ditto --keepParent layout: folders, modes and symlink entries', async (t) => {
  const out = join(dir, 'bundle.zip');
  const counts = await zipBundle(join(dir, 'SXL Sample 1.0', 'SXL Sample.app'), out);
  t.is(counts.symlinks, 3);
  const entries = await decodeZip(await readFile(out), out);
  t.true(entries.every((e) => e.path.startsWith('SXL Sample.app/')));
  t.is(entries[0]?.path, 'SXL Sample.app/');
  const link = entries.find((e) => e.path === `${sampleFrameworkDir}/Versions/Current`);
  t.like(link, { type: 'symlink' });
  t.is(link?.content.toString('utf8'), 'A');
  const exe = entries.find((e) => e.path === 'SXL Sample.app/Contents/MacOS/SXL Sample');
  t.like(exe, { type: 'file', mode: 0o755 });
  t.like(
    entries.find((e) => e.path === 'SXL Sample.app/Contents/'),
    { type: 'directory' },
  );
});

testWithTools('unzip', 'zipinfo')(
  crossTitle('unzip restores the symlinks zipBundle writes; zipinfo shows them as links', 'unzip', 'zipinfo'),
  async (t) => {
    const out = join(dir, 'bundle-cross.zip');
    await zipBundle(join(dir, 'SXL Sample 1.1', 'SXL Sample.app'), out);
    t.is(runTool('unzip', ['-t', out]).status, 0);
    const info = runTool('zipinfo', [out]).stdout.toString('utf8');
    t.regex(info, /^lrwxr-xr-x .* SXL Sample\.app\/.*\/SXLShared\.framework\/Versions\/Current$/m);
    t.regex(info, /^-rwxr-xr-x .* SXL Sample\.app\/Contents\/MacOS\/SXL Sample$/m);
    const target = join(dir, 'unzipped');
    t.is(runTool('unzip', ['-q', out, '-d', target]).status, 0);
    t.is(await readlink(join(target, sampleFrameworkDir, 'Versions', 'Current')), 'A');
    t.is(
      treeListing(await readTree(join(target, 'SXL Sample.app'))),
      treeListing(await readTree(join(dir, 'SXL Sample 1.1', 'SXL Sample.app'))),
    );
  },
);
