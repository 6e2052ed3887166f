import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { readTree, treeListing } from '../../../sim/builds/app-folder.ts';
import { readFlatPackage } from '../../../sim/builds/flat-package.ts';
import { makeSampleBuilds } from '../../../sim/builds/make-sample-builds.ts';
import {
  parseStandInExecutable,
  sampleExtensionDir,
  sampleFrameworkDir,
} from '../../../sim/builds/sample-app.ts';
import { readZip } from '../../../sim/builds/zip-archive.ts';
import { crossTitle, runTool, tempDir, testWithTools } from './tools.ts';

const exePath = `${sampleExtensionDir}/Contents/MacOS/com.example.sxl.app.proxy`;

test('writes the four packages, two zips and two .app folders, with versions', async (t) => {
  const dir = await tempDir(t);
  const made = await makeSampleBuilds(dir);
  t.deepEqual(
    made.map((m) => `${m.name} ${m.version} (${m.build}) ${m.format}`),
    [
      'SXL Sample 1.0/SXL Sample.app 1.0 (100) app',
      'SXL Sample 1.0.pkg 1.0 (100) pkg',
      'SXL Sample 1.0.zip 1.0 (100) zip',
      'SXL Sample 1.1/SXL Sample.app 1.1 (110) app',
      'SXL Sample 1.1.pkg 1.1 (110) pkg',
      'SXL Sample 1.1.zip 1.1 (110) zip',
      'SXL Sample 1.1-reship.pkg 1.1 (110) pkg',
      'SXL Filter 1.0.pkg 1.0 (100) pkg',
    ],
  );
  t.deepEqual((await readdir(dir)).sort(), [...new Set(made.map((m) => m.name.split('/')[0]!))].sort());
  for (const m of made) {
    t.is(m.path, join(dir, m.name));
    const expected =
      m.format === 'app'
        ? createHash('sha256')
            .update(treeListing(await readTree(m.path)))
            .digest('hex')
        : createHash('sha256')
            .update(await readFile(m.path))
            .digest('hex');
    t.is(expected, m.sha256);
  }
});

test('the .app folders hold the package tree, framework symlinks as symlinks', async (t) => {
  const dir = await tempDir(t);
  await makeSampleBuilds(dir);
  for (const label of ['1.0', '1.1']) {
    const app = join(dir, `SXL Sample ${label}`, 'SXL Sample.app');
    const pkg = await readFlatPackage(join(dir, `SXL Sample ${label}.pkg`));
    const tree = await readTree(app, 'SXL Sample.app');
    t.is(treeListing(tree), treeListing(pkg.files));
    const fw = join(dir, `SXL Sample ${label}`, sampleFrameworkDir);
    t.true((await lstat(join(fw, 'Versions', 'Current'))).isSymbolicLink());
    t.is(await readlink(join(fw, 'Versions', 'Current')), 'A');
    t.is(await readlink(join(fw, 'SXLShared')), 'Versions/Current/SXLShared');
  }
});

test('packages read back with identifier, title, location and the app tree', async (t) => {
  const dir = await tempDir(t);
  const made = await makeSampleBuilds(dir);
  for (const m of made.filter((x) => x.format === 'pkg' && x.name.startsWith('SXL Sample '))) {
    const pkg = await readFlatPackage(m.path);
    t.like(pkg, {
      identifier: 'com.example.sxl.app.pkg',
      version: m.version,
      title: 'SXL Sample',
      installLocation: '/Applications',
    });
    t.is(pkg.files.length, 15);
    t.deepEqual(
      pkg.files
        .filter((f) => f.type === 'symlink')
        .map((f) => `${f.path.slice(sampleFrameworkDir.length + 1)} -> ${f.content}`),
      [
        'Versions/Current -> A',
        'SXLShared -> Versions/Current/SXLShared',
        'Resources -> Versions/Current/Resources',
      ],
    );
    const exe = pkg.files.find((f) => f.path === exePath);
    t.is(exe?.mode, 0o755);
    t.is(parseStandInExecutable(exe!.content)?.build, m.label);
  }
});

test('zips hold the .app with --keepParent layout and match the package files', async (t) => {
  const dir = await tempDir(t);
  const made = await makeSampleBuilds(dir);
  for (const label of ['1.0', '1.1']) {
    const zip = await readZip(join(dir, `SXL Sample ${label}.zip`));
    const pkg = await readFlatPackage(join(dir, `SXL Sample ${label}.pkg`));
    t.true(zip.every((f) => f.path.startsWith('SXL Sample.app/Contents/')));
    t.deepEqual(zip, pkg.files);
  }
  t.false(made.some((m) => m.name === 'SXL Sample 1.1-reship.zip'));
});

test('deterministic and idempotent: same bytes in another folder, nothing rewritten the second time', async (t) => {
  const a = await tempDir(t);
  const b = await tempDir(t);
  const first = await makeSampleBuilds(a);
  const mtimes = await Promise.all(first.map(async (m) => (await stat(m.path)).mtimeMs));
  const again = await makeSampleBuilds(a);
  const other = await makeSampleBuilds(b);
  t.deepEqual(
    again.map((m) => m.sha256),
    first.map((m) => m.sha256),
  );
  t.deepEqual(
    other.map((m) => m.sha256),
    first.map((m) => m.sha256),
  );
  t.true(first.every((m) => m.written));
  t.true(again.every((m) => !m.written));
  t.deepEqual(await Promise.all(again.map(async (m) => (await stat(m.path)).mtimeMs)), mtimes);
});

test('SXL Filter 1.0: its extension hosts a content filter and a DNS proxy, in the same bundle layout', async (t) => {
  const dir = await tempDir(t);
  await makeSampleBuilds(dir);
  const pkg = await readFlatPackage(join(dir, 'SXL Filter 1.0.pkg'));
  t.like(pkg, {
    identifier: 'com.example.sxl.filter.pkg',
    version: '1.0',
    title: 'SXL Filter',
    installLocation: '/Applications',
  });
  t.is(pkg.files.length, 15);
  const ext =
    'SXL Filter.app/Contents/Library/SystemExtensions/com.example.sxl.filter.provider.systemextension';
  const info = pkg.files.find((f) => f.path === `${ext}/Contents/Info.plist`)?.content.toString('utf8') ?? '';
  t.regex(
    info,
    /<key>com\.apple\.networkextension\.dns-proxy<\/key>\s*<string>SXLFilter\.DNSProxyProvider<\/string>/,
  );
  t.regex(
    info,
    /<key>com\.apple\.networkextension\.filter-data<\/key>\s*<string>SXLFilter\.FilterDataProvider<\/string>/,
  );
  t.notRegex(info, /app-proxy/);
  t.regex(
    info,
    /<key>NEMachServiceName<\/key>\s*<string>SXLAB12345\.group\.com\.example\.sxl\.filter\.provider\.xpc<\/string>/,
  );
  const exe = pkg.files.find((f) => f.path === `${ext}/Contents/MacOS/com.example.sxl.filter.provider`);
  t.is(parseStandInExecutable(exe!.content)?.bundleId, 'com.example.sxl.filter.provider');
});

test('1.1-reship differs from 1.1 only in executables and signatures', async (t) => {
  const dir = await tempDir(t);
  await makeSampleBuilds(dir);
  const eleven = await readFlatPackage(join(dir, 'SXL Sample 1.1.pkg'));
  const reship = await readFlatPackage(join(dir, 'SXL Sample 1.1-reship.pkg'));
  t.deepEqual(
    eleven.files.map((f) => f.path),
    reship.files.map((f) => f.path),
  );
  const differing = eleven.files
    .filter((f, i) => !f.content.equals(reship.files[i]!.content))
    .map((f) => f.path);
  t.deepEqual(differing, [
    'SXL Sample.app/Contents/MacOS/SXL Sample',
    'SXL Sample.app/Contents/_CodeSignature/CodeResources',
    'SXL Sample.app/Contents/_CodeSignature/sxl-sim-signature.plist',
    `${sampleExtensionDir}/Contents/MacOS/com.example.sxl.app.proxy`,
    `${sampleFrameworkDir}/Versions/A/SXLShared`,
    `${sampleFrameworkDir}/Versions/A/_CodeSignature/sxl-sim-signature.plist`,
    `${sampleExtensionDir}/Contents/_CodeSignature/CodeResources`,
    `${sampleExtensionDir}/Contents/_CodeSignature/sxl-sim-signature.plist`,
  ]);
});

test('the CLI prints what it wrote and takes OUTDIR', async (t) => {
  const dir = await tempDir(t);
  const script = join(import.meta.dirname, '../../../sim/builds/make-sample-builds.ts');
  const tsx = join(import.meta.dirname, '../../../node_modules/.bin/tsx');
  const first = runTool(tsx, [script, dir]);
  t.is(first.status, 0, first.stderr);
  const lines = first.stdout.toString('utf8').trim().split('\n');
  t.is(lines.length, 8);
  t.regex(lines[0]!, /^wrote {5}.*SXL Sample 1\.0\/SXL Sample\.app\t1\.0 \(100\)\tsha256 [0-9a-f]{64}$/);
  t.regex(lines[1]!, /^wrote {5}.*SXL Sample 1\.0\.pkg\t1\.0 \(100\)\tsha256 [0-9a-f]{64}$/);
  const second = runTool(tsx, [script, dir]);
  t.regex(second.stdout.toString('utf8'), /^unchanged .*SXL Sample 1\.1-reship\.pkg\t1\.1 \(110\)/m);
  const usage = runTool(tsx, [script, '--help']);
  t.is(usage.status, 2);
  t.regex(usage.stderr, /^usage: make-sample-builds\.ts \[OUTDIR\]/);
});

testWithTools('unzip', 'bsdtar')(
  crossTitle('real tools read the sample builds', 'unzip', 'bsdtar'),
  async (t) => {
    const dir = await tempDir(t);
    await makeSampleBuilds(dir);
    const tested = runTool('unzip', ['-t', join(dir, 'SXL Sample 1.1.zip')]);
    t.is(tested.status, 0, tested.stdout.toString('utf8'));
    const listed = runTool('bsdtar', ['-tf', join(dir, 'SXL Sample 1.0.pkg')]);
    t.is(listed.status, 0, listed.stderr);
    t.deepEqual(listed.stdout.toString('utf8').trim().split('\n').sort(), [
      'Distribution',
      'com.example.sxl.app.pkg',
      'com.example.sxl.app.pkg/PackageInfo',
      'com.example.sxl.app.pkg/Payload',
    ]);
    // bsdtar unpacks the payload and unzip the zip with the framework's symlinks as symlinks, into
    // the same tree as the .app folder.
    const want = treeListing(await readTree(join(dir, 'SXL Sample 1.0')));
    const fromPkg = join(dir, 'from-pkg');
    await mkdir(fromPkg);
    const payload = runTool('bsdtar', [
      '-xOf',
      join(dir, 'SXL Sample 1.0.pkg'),
      'com.example.sxl.app.pkg/Payload',
    ]);
    const unpacked = runTool('bsdtar', ['-xf', '-', '-C', fromPkg], { input: payload.stdout });
    t.is(unpacked.status, 0, unpacked.stderr);
    t.is(treeListing(await readTree(fromPkg)), want);
    const fromZip = join(dir, 'from-zip');
    const unzipped = runTool('unzip', ['-q', join(dir, 'SXL Sample 1.0.zip'), '-d', fromZip]);
    t.is(unzipped.status, 0, unzipped.stderr);
    t.is(treeListing(await readTree(fromZip)), want);
    t.is(await readlink(join(fromZip, sampleFrameworkDir, 'Versions', 'Current')), 'A');
  },
);

test('--version --sim-fault writes one package whose extension carries its fault rate', async (t) => {
  const dir = await tempDir(t);
  const script = join(import.meta.dirname, '../../../sim/builds/make-sample-builds.ts');
  const tsx = join(import.meta.dirname, '../../../node_modules/.bin/tsx');
  const made = runTool(tsx, [
    script,
    '--version',
    '1.4',
    '--sim-fault',
    'xpc-endpoint-lost-on-upgrade=0.3',
    dir,
  ]);
  t.is(made.status, 0, made.stderr);
  t.regex(
    made.stdout.toString('utf8'),
    /^wrote {5}.*SXL Sample 1\.4\.pkg\t1\.4 \(10400\)\tsha256 [0-9a-f]{64}\n$/,
  );
  const pkg = await readFlatPackage(join(dir, 'SXL Sample 1.4.pkg'));
  const extInfo = pkg.files.find((f) => f.path === `${sampleExtensionDir}/Contents/Info.plist`);
  t.regex(
    String(extInfo?.content),
    /<key>SXLSimFaults<\/key>\s*<dict>\s*<key>xpc-endpoint-lost-on-upgrade<\/key>\s*<real>0\.3<\/real>\s*<\/dict>\s*<\/dict>\s*<\/plist>/,
  );
  const unknown = runTool(tsx, [script, '--version', '1.4', '--sim-fault', 'no-such-fault=0.3', dir]);
  t.not(unknown.status, 0);
  t.regex(String(unknown.stderr), /Unknown fault "no-such-fault" in --sim-fault/);
  const noVersion = runTool(tsx, [script, '--sim-fault', 'xpc-endpoint-lost-on-upgrade=0.3', dir]);
  t.is(noVersion.status, 2);
});
