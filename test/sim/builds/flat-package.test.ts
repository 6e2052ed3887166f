import { mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { decodeCpioOdc, encodeCpioOdc } from '../../../sim/builds/cpio-odc.ts';
import {
  decodeFlatPackage,
  encodeFlatPackage,
  FlatPackageError,
  type FlatPackageErrorReason,
  type FlatPackageSpec,
  readFlatPackage,
  writeFlatPackage,
} from '../../../sim/builds/flat-package.ts';
import { decodeXar, encodeXar } from '../../../sim/builds/xar-archive.ts';
import { crossTitle, runTool, tempDir, testWithTools } from './tools.ts';

const spec: FlatPackageSpec = {
  identifier: 'com.example.t.pkg',
  version: '2.3',
  title: 'T & "Q" Tool',
  installLocation: '/Applications',
  files: [
    { path: 'T.app/Contents/Info.plist', content: '<plist version="1.0"><dict/></plist>\n' },
    { path: 'T.app/Contents/MacOS/T', content: Buffer.from('stand-in\n'), mode: 0o755 },
    { path: 'T.app/Contents/Resources/empty', content: '' },
    { path: "T.app/Contents/Resources/it's [x] $(y).txt", content: 'ü\n', mode: 0o600 },
    { path: 'T.app/Contents/Current', content: 'Resources', type: 'symlink' },
  ],
};

const expectedFiles = spec.files.map((f) => ({
  path: f.path,
  content: Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content),
  mode: f.mode ?? (f.type === 'symlink' ? 0o755 : 0o644),
  type: f.type ?? 'file',
}));

test('product layout round trip: identifier, version, title, location, files and modes', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'T 2.3.pkg');
  await writeFlatPackage(path, spec);
  const pkg = await readFlatPackage(path);
  t.deepEqual(pkg, {
    identifier: spec.identifier,
    version: '2.3',
    title: spec.title,
    installLocation: '/Applications',
    files: expectedFiles,
  });
});

test('component layout round trip: no Distribution, so the title falls back to the identifier', async (t) => {
  const pkg = await decodeFlatPackage(await encodeFlatPackage(spec, { layout: 'component' }));
  t.is(pkg.title, spec.identifier);
  t.deepEqual(pkg.files, expectedFiles);
  const entries = await decodeXar(await encodeFlatPackage(spec, { layout: 'component' }));
  t.deepEqual(
    entries.map((e) => e.path),
    ['PackageInfo', 'Payload'],
  );
});

test('product layout: Distribution with title and pkg-ref, component folder with PackageInfo and Payload', async (t) => {
  const entries = await decodeXar(await encodeFlatPackage(spec));
  t.deepEqual(
    entries.map((e) => `${e.type} ${e.path}`),
    [
      'file Distribution',
      'directory com.example.t.pkg',
      'file com.example.t.pkg/PackageInfo',
      'file com.example.t.pkg/Payload',
    ],
  );
  const distribution = entries[0]!.data.toString('utf8');
  t.regex(distribution, /<title>T &amp; &quot;Q&quot; Tool<\/title>/);
  t.regex(
    distribution,
    /<pkg-ref id="com\.example\.t\.pkg" version="2\.3" onConclusion="none">#com\.example\.t\.pkg<\/pkg-ref>/,
  );
  const info = entries[2]!.data.toString('utf8');
  t.regex(info, /^<\?xml version="1\.0" encoding="utf-8"\?>\n<pkg-info /);
  t.regex(info, / identifier="com\.example\.t\.pkg" /);
  t.regex(info, / version="2\.3" format-version="2" install-location="\/Applications" auth="root">/);
  // Root, T.app, Contents, MacOS, Resources, four files and a symlink.
  t.regex(info, /<payload numberOfFiles="10" installKBytes="1"\/>/);
});

test('Payload is gzip of odc cpio with ./ paths, directory entries first, file modes', async (t) => {
  const entries = await decodeXar(await encodeFlatPackage(spec));
  const payload = entries.find((e) => e.path.endsWith('/Payload'))!.data;
  t.deepEqual([...payload.subarray(0, 2)], [0x1f, 0x8b]);
  const cpio = decodeCpioOdc(gunzipSync(payload));
  t.deepEqual(
    cpio.map((e) => `${e.type} ${e.mode.toString(8)} ${e.name}`),
    [
      'directory 755 .',
      'directory 755 ./T.app',
      'directory 755 ./T.app/Contents',
      'file 644 ./T.app/Contents/Info.plist',
      'directory 755 ./T.app/Contents/MacOS',
      'file 755 ./T.app/Contents/MacOS/T',
      'directory 755 ./T.app/Contents/Resources',
      'file 644 ./T.app/Contents/Resources/empty',
      "file 600 ./T.app/Contents/Resources/it's [x] $(y).txt",
      'symlink 755 ./T.app/Contents/Current',
    ],
  );
});

test('same spec gives the same bytes; a different mtime gives different bytes', async (t) => {
  const a = await encodeFlatPackage(spec);
  t.deepEqual(await encodeFlatPackage(spec), a);
  t.notDeepEqual(await encodeFlatPackage(spec, { mtime: new Date(0) }), a);
});

test('writer refuses bad specs with FlatPackageError naming the file', async (t) => {
  const bad: [string, Partial<FlatPackageSpec>][] = [
    ['escaping path', { files: [{ path: '../evil', content: '' }] }],
    ['absolute path', { files: [{ path: '/etc/x', content: '' }] }],
    [
      'duplicate path',
      {
        files: [
          { path: 'a', content: '' },
          { path: 'a', content: '' },
        ],
      },
    ],
    [
      'file and directory',
      {
        files: [
          { path: 'a', content: '' },
          { path: 'a/b', content: '' },
        ],
      },
    ],
    ['relative install location', { installLocation: 'Applications' }],
  ];
  for (const [label, change] of bad) {
    const error = await t.throwsAsync(writeFlatPackage('/nonexistent/out.pkg', { ...spec, ...change }), {
      instanceOf: FlatPackageError,
    });
    t.is(error?.reason, 'bad spec', label);
    t.is(error?.file, '/nonexistent/out.pkg');
  }
  const option = await t.throwsAsync(encodeFlatPackage(spec, { mtime: new Date('garbage') }, 'o.pkg'), {
    instanceOf: FlatPackageError,
  });
  t.is(option?.reason, 'bad option');
  t.regex(
    option?.message ?? '',
    /^Bad option: o\.pkg .*mtime: expected a valid Date after 1970, got Invalid Date\)$/,
  );
});

async function rejects(t: ExecutionContext, data: Buffer, reason: FlatPackageErrorReason) {
  const error = await t.throwsAsync(decodeFlatPackage(data, 'x.pkg'), { instanceOf: FlatPackageError });
  t.is(error?.reason, reason, error?.message);
  t.true(error?.message.includes('x.pkg'));
}

test('reader errors: unreadable, bad magic, truncated, bad checksum', async (t) => {
  const missing = await t.throwsAsync(readFlatPackage('/nonexistent/none.pkg'), {
    instanceOf: FlatPackageError,
  });
  t.is(missing?.reason, 'unreadable');
  t.is(missing?.message, 'Unreadable: /nonexistent/none.pkg is not a usable flat package (ENOENT)');
  await rejects(t, Buffer.from('PK\x03\x04 not a package'), 'bad magic');
  await rejects(t, Buffer.alloc(0), 'bad magic');
  const good = await encodeFlatPackage(spec);
  await rejects(t, good.subarray(0, 20), 'truncated');
  await rejects(t, good.subarray(0, 100), 'truncated');
  await rejects(t, good.subarray(0, good.length - 1), 'truncated');
  const flipped = Buffer.from(good);
  flipped.writeUInt8(flipped.at(-3)! ^ 0x40, flipped.length - 3);
  await rejects(t, flipped, 'bad checksum');
});

test('reader errors: missing PackageInfo, missing Payload, bad PackageInfo, unsafe payload path', async (t) => {
  const mtime = new Date(0);
  const info = Buffer.from('<pkg-info identifier="a" version="1" install-location="/"/>');
  await rejects(
    t,
    await encodeXar([{ path: 'Distribution', data: Buffer.from('<x/>'), encoding: 'zlib' }], { mtime }),
    'bad Distribution',
  );
  await rejects(
    t,
    await encodeXar([{ path: 'Bom', data: Buffer.from('x'), encoding: 'none' }], { mtime }),
    'missing PackageInfo',
  );
  await rejects(
    t,
    await encodeXar([{ path: 'PackageInfo', data: info, encoding: 'zlib' }], { mtime }),
    'missing Payload',
  );
  await rejects(
    t,
    await encodeXar(
      [
        { path: 'PackageInfo', data: Buffer.from('<pkg-info version="1"/>'), encoding: 'zlib' },
        { path: 'Payload', data: Buffer.alloc(0), encoding: 'none' },
      ],
      { mtime },
    ),
    'bad PackageInfo',
  );
  await rejects(
    t,
    await encodeXar(
      [
        { path: 'PackageInfo', data: info, encoding: 'zlib' },
        { path: 'Payload', data: Buffer.from('not gzip'), encoding: 'none' },
      ],
      { mtime },
    ),
    'bad Payload',
  );
  const evil = gzipSync(
    encodeCpioOdc([
      {
        name: './../../etc/evil',
        type: 'file',
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: 0,
        content: Buffer.from('x'),
      },
    ]),
  );
  await rejects(
    t,
    await encodeXar(
      [
        { path: 'PackageInfo', data: info, encoding: 'zlib' },
        { path: 'Payload', data: evil, encoding: 'none' },
      ],
      { mtime },
    ),
    'unsafe path',
  );
});

test('only FlatPackageError escapes on random bytes, and every byte change or truncation is caught', async (t) => {
  const good = await encodeFlatPackage(spec);
  const headerLike = fc
    .uint8Array({ maxLength: 400 })
    .map((tail) => Buffer.concat([good.subarray(0, 28), tail]));
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
        headerLike,
      ),
      async (data) => {
        try {
          await decodeFlatPackage(data, 'fuzz.pkg');
          return false;
        } catch (error) {
          return error instanceof FlatPackageError;
        }
      },
    ),
    { numRuns: 500 },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.integer({ min: 0, max: good.length }),
      async (flips, cut) => {
        const data = Buffer.from(good.subarray(0, cut));
        for (const [i, x] of flips) if (i < data.length) data.writeUInt8(data[i]! ^ x, i);
        try {
          await decodeFlatPackage(data, 'fuzz.pkg');
          // Only the untouched, complete package may read.
          return cut === good.length && data.equals(good);
        } catch (error) {
          return error instanceof FlatPackageError;
        }
      },
    ),
    { numRuns: 1000 },
  );
  t.pass();
});

testWithTools('bsdtar', 'cpio')(
  crossTitle('bsdtar and cpio extract the package tree we write', 'bsdtar', 'cpio'),
  async (t) => {
    const dir = await tempDir(t);
    const path = join(dir, 'p.pkg');
    await writeFlatPackage(path, spec);
    const payload = runTool('bsdtar', ['-xOf', path, 'com.example.t.pkg/Payload']);
    t.is(payload.status, 0, payload.stderr);
    const extracted = runTool('cpio', ['-idm', '--quiet'], { cwd: dir, input: gunzipSync(payload.stdout) });
    t.is(extracted.status, 0, extracted.stderr);
    t.is(await readFile(join(dir, 'T.app/Contents/MacOS/T'), 'utf8'), 'stand-in\n');
    const modes = runTool(
      'stat',
      ['-c', '%a %n', 'T.app/Contents/MacOS/T', "T.app/Contents/Resources/it's [x] $(y).txt"],
      {
        cwd: dir,
      },
    );
    t.is(
      modes.stdout.toString('utf8'),
      "755 T.app/Contents/MacOS/T\n600 T.app/Contents/Resources/it's [x] $(y).txt\n",
    );
    // GNU cpio restores the payload's symlink as a symlink.
    t.is(await readlink(join(dir, 'T.app/Contents/Current')), 'Resources');
    const info = runTool('bsdtar', ['-xOf', path, 'com.example.t.pkg/PackageInfo']);
    t.regex(info.stdout.toString('utf8'), /identifier="com\.example\.t\.pkg"/);
  },
);

testWithTools('bsdtar', 'cpio')(
  crossTitle('we read a package whose xar and cpio were made by bsdtar and cpio', 'bsdtar', 'cpio'),
  async (t) => {
    const dir = await tempDir(t);
    const root = join(dir, 'root');
    const pkg = join(dir, 'pkg');
    await mkdir(join(root, 'X.app', 'Contents'), { recursive: true });
    await mkdir(pkg);
    await writeFile(join(root, 'X.app', 'Contents', 'Info.plist'), '<plist/>\n');
    await symlink('Info.plist', join(root, 'X.app', 'Contents', 'Link'));
    const cpio = runTool('cpio', ['-o', '-H', 'odc', '--quiet'], {
      cwd: root,
      input: Buffer.from(
        '.\n./X.app\n./X.app/Contents\n./X.app/Contents/Info.plist\n./X.app/Contents/Link\n',
      ),
    });
    t.is(cpio.status, 0, cpio.stderr);
    await writeFile(join(pkg, 'Payload'), gzipSync(cpio.stdout));
    await writeFile(
      join(pkg, 'PackageInfo'),
      '<?xml version="1.0"?>\n<pkg-info identifier="org.x" version="9" install-location="/Applications" format-version="2"/>\n',
    );
    const out = join(dir, 'x.pkg');
    const made = runTool('bsdtar', ['--format', 'xar', '-cf', out, '-C', pkg, 'PackageInfo', 'Payload']);
    t.is(made.status, 0, made.stderr);
    const read = await readFlatPackage(out);
    t.is(read.identifier, 'org.x');
    t.is(read.title, 'org.x');
    t.deepEqual(read.files, [
      { path: 'X.app/Contents/Info.plist', content: Buffer.from('<plist/>\n'), mode: 0o644, type: 'file' },
      { path: 'X.app/Contents/Link', content: Buffer.from('Info.plist'), mode: 0o777, type: 'symlink' },
    ]);
  },
);
