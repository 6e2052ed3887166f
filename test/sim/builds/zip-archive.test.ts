import { chmod, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import {
  decodeZip,
  encodeZip,
  readZip,
  writeZip,
  ZipArchiveError,
  type ZipArchiveErrorReason,
  type ZipFile,
} from '../../../sim/builds/zip-archive.ts';
import { crossTitle, runTool, tempDir, testWithTools } from './tools.ts';

const files: ZipFile[] = [
  { path: 'T.app/Contents/Info.plist', content: '<plist/>\n'.repeat(20) },
  { path: 'T.app/Contents/MacOS/T', content: Buffer.from('stand-in\n'), mode: 0o755 },
  { path: 'T.app/Contents/Resources/empty', content: '' },
  { path: 'T.app/Contents/Resources/ünï [x].txt', content: 'ü\n', mode: 0o600 },
  { path: 'T.app/Contents/Empty Folder/', content: '' },
  { path: 'T.app/Contents/Current', content: 'Resources', type: 'symlink' },
];

const expectedFiles = files
  .filter((f) => !f.path.endsWith('/'))
  .map((f) => ({
    path: f.path,
    content: Buffer.from(f.content),
    mode: f.mode ?? (f.type === 'symlink' ? 0o755 : 0o644),
    type: f.type ?? 'file',
  }));

test('round trip (deflated and stored) keeps files, contents and modes', async (t) => {
  const dir = await tempDir(t);
  for (const compression of ['deflate', 'store'] as const) {
    const path = join(dir, `${compression}.zip`);
    await writeZip(path, files, { compression });
    t.deepEqual(await readZip(path), expectedFiles, compression);
  }
});

test('directory entries come before their contents, in ditto --keepParent order', async (t) => {
  const entries = await decodeZip(await encodeZip(files));
  t.deepEqual(
    entries.map((e) => `${e.type} ${e.mode.toString(8)} ${e.method} ${e.path}`),
    [
      'directory 755 stored T.app/',
      'directory 755 stored T.app/Contents/',
      'file 644 deflated T.app/Contents/Info.plist',
      'directory 755 stored T.app/Contents/MacOS/',
      'file 755 deflated T.app/Contents/MacOS/T',
      'directory 755 stored T.app/Contents/Resources/',
      'file 644 stored T.app/Contents/Resources/empty',
      'file 600 deflated T.app/Contents/Resources/ünï [x].txt',
      'directory 755 stored T.app/Contents/Empty Folder/',
      'symlink 755 stored T.app/Contents/Current',
    ],
  );
});

test('structure: local headers, data descriptors, unix modes in the central directory, end record', async (t) => {
  const bytes = await encodeZip([{ path: 'a/b', content: 'hello', mode: 0o751 }], { compression: 'store' });
  // Directory a/: local header with sizes, no descriptor.
  t.is(bytes.readUInt32LE(0), 0x04034b50);
  t.is(bytes.readUInt16LE(6) & 0x8, 0);
  const fileHeader = 30 + 2;
  t.is(bytes.readUInt32LE(fileHeader), 0x04034b50);
  t.is(bytes.readUInt16LE(fileHeader + 6) & 0x8, 0x8);
  t.is(bytes.toString('utf8', fileHeader + 30, fileHeader + 33), 'a/b');
  t.is(bytes.toString('utf8', fileHeader + 33, fileHeader + 38), 'hello');
  const descriptor = fileHeader + 38;
  t.is(bytes.readUInt32LE(descriptor), 0x08074b50);
  t.is(bytes.readUInt32LE(descriptor + 4), crc32('hello'));
  t.is(bytes.readUInt32LE(descriptor + 12), 5);
  const end = bytes.length - 22;
  t.is(bytes.readUInt32LE(end), 0x06054b50);
  t.is(bytes.readUInt16LE(end + 10), 2);
  const central = bytes.readUInt32LE(end + 16);
  t.is(bytes.readUInt32LE(central), 0x02014b50);
  t.is(bytes.readUInt16LE(central + 4) >> 8, 3);
  t.is(bytes.readUInt32LE(central + 38) >>> 16, 0o040755);
  t.is(bytes.readUInt32LE(central + 38) & 0x10, 0x10);
  const second = central + 46 + 2;
  t.is(bytes.readUInt32LE(second + 38) >>> 16, 0o100751);
});

test('same input gives the same bytes', async (t) => {
  t.deepEqual(await encodeZip(files), await encodeZip(files));
});

test('writer refuses paths that escape or collide', async (t) => {
  for (const bad of [
    [{ path: '../x', content: '' }],
    [{ path: '/x', content: '' }],
    [
      { path: 'a', content: '' },
      { path: 'a/b', content: '' },
    ],
  ]) {
    const error = await t.throwsAsync(encodeZip(bad, {}, 'out.zip'), { instanceOf: ZipArchiveError });
    t.is(error?.reason, 'bad input');
  }
  const option = await t.throwsAsync(encodeZip(files, { compression: 'zstd' as 'store' }, 'out.zip'));
  t.is(
    option?.message,
    `Bad input: out.zip is not a usable zip archive (compression: expected 'deflate' or 'store', got "zstd")`,
  );
});

/** A minimal archive with one entry, to build hostile inputs by hand. */
function oneEntry(
  name: string,
  content: Buffer,
  options: { method?: number; crc?: number; external?: number } = {},
): Buffer {
  const method = options.method ?? 0;
  const data = method === 8 ? deflateRawSync(content) : content;
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(method, 8);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 20, 4);
  central.writeUInt16LE(method, 10);
  central.writeUInt32LE(options.crc ?? crc32(content), 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(options.external ?? 0o100644 * 0x10000, 38);
  const cdOffset = 30 + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + nameBytes.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}

async function rejects(t: ExecutionContext, data: Buffer, reason: ZipArchiveErrorReason) {
  const error = await t.throwsAsync(decodeZip(data, 'x.zip'), { instanceOf: ZipArchiveError });
  t.is(error?.reason, reason, error?.message);
  t.true(error?.message.includes('x.zip'));
}

test('reader errors: unreadable, not a zip, truncated, crc mismatch, bad deflate, unsafe names', async (t) => {
  const missing = await t.throwsAsync(readZip('/nonexistent/none.zip'), { instanceOf: ZipArchiveError });
  t.is(missing?.message, 'Unreadable: /nonexistent/none.zip is not a usable zip archive (ENOENT)');
  await rejects(t, Buffer.from('xar!not a zip at all, really not'), 'not a zip');
  await rejects(t, Buffer.alloc(3), 'not a zip');
  const good = await encodeZip(files);
  await rejects(t, good.subarray(0, good.length - 1), 'not a zip');
  await rejects(t, good.subarray(100), 'truncated');
  await rejects(t, oneEntry('f', Buffer.from('abc'), { crc: 1 }), 'bad checksum');
  const badDeflate = oneEntry('f', Buffer.from('abcabcabc'), { method: 8 });
  badDeflate.writeUInt8(0xff, 31);
  await rejects(t, badDeflate, 'bad data');
  await rejects(t, oneEntry('f', Buffer.from('abc'), { method: 12 }), 'unsupported');
  await rejects(t, oneEntry('../evil', Buffer.from('x')), 'unsafe path');
  await rejects(t, oneEntry('/etc/evil', Buffer.from('x')), 'unsafe path');
});

test('a symlink entry (S_IFLNK in the unix mode, the target as content) reads back as a symlink', async (t) => {
  const dir = await tempDir(t);
  const link = join(dir, 'link.zip');
  await writeFile(link, oneEntry('l', Buffer.from('target'), { external: 0o120755 * 0x10000 }));
  t.deepEqual(await readZip(link), [
    { path: 'l', content: Buffer.from('target'), mode: 0o755, type: 'symlink' },
  ]);
});

test('reader accepts ./ names and entries without unix modes', async (t) => {
  const dotted = await decodeZip(oneEntry('./a/./b', Buffer.from('x')));
  t.deepEqual(
    dotted.map((e) => e.path),
    ['a/b'],
  );
  const dos = await decodeZip(oneEntry('d/', Buffer.alloc(0), { external: 0x10 }));
  t.deepEqual(
    dos.map((e) => [e.path, e.type, e.mode]),
    [['d/', 'directory', 0o755]],
  );
});

test('only ZipArchiveError escapes on random bytes, mutations and truncations', async (t) => {
  const good = await encodeZip(files);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
      fc.integer({ min: 0, max: good.length }),
      fc.uint8Array({ maxLength: 64 }),
      async (flips, cut, tail) => {
        const data = Buffer.concat([
          good.subarray(0, cut),
          tail.length > 0 && cut < good.length ? Buffer.from(tail) : Buffer.alloc(0),
        ]);
        for (const [i, x] of flips) if (i < data.length) data.writeUInt8(data[i]! ^ x, i);
        try {
          await decodeZip(data, 'fuzz.zip');
          return true;
        } catch (error) {
          return error instanceof ZipArchiveError;
        }
      },
    ),
    { numRuns: 1500 },
  );
  t.pass();
});

testWithTools('unzip', 'zipinfo')(
  crossTitle('unzip tests, lists and extracts what we write', 'unzip', 'zipinfo'),
  async (t) => {
    const dir = await tempDir(t);
    const path = join(dir, 'T.zip');
    await writeZip(path, files);
    const tested = runTool('unzip', ['-t', path]);
    t.is(tested.status, 0, tested.stdout.toString('utf8'));
    t.regex(tested.stdout.toString('utf8'), /No errors detected/);
    const info = runTool('zipinfo', [path]);
    t.regex(info.stdout.toString('utf8'), /^-rwxr-xr-x .* unx .* T\.app\/Contents\/MacOS\/T$/m);
    t.regex(info.stdout.toString('utf8'), /^drwxr-xr-x .* T\.app\/Contents\/Empty Folder\/$/m);
    const out = join(dir, 'out');
    const extracted = runTool('unzip', ['-q', path, '-d', out]);
    t.is(extracted.status, 0, extracted.stderr);
    t.is(await readFile(join(out, 'T.app/Contents/Info.plist'), 'utf8'), '<plist/>\n'.repeat(20));
    const mode = runTool('stat', ['-c', '%a', join(out, 'T.app/Contents/MacOS/T')]);
    t.is(mode.stdout.toString('utf8'), '755\n');
    // unzip restores the symlink entry as a symlink (what ditto -x -k does on a Mac).
    t.regex(info.stdout.toString('utf8'), /^lrwxr-xr-x .* T\.app\/Contents\/Current$/m);
    t.is(await readlink(join(out, 'T.app/Contents/Current')), 'Resources');
  },
);

testWithTools('bsdtar')(crossTitle('we read what bsdtar --format zip writes', 'bsdtar'), async (t) => {
  const dir = await tempDir(t);
  const tree = join(dir, 'tree');
  await mkdir(join(tree, 'X.app', 'Contents', 'MacOS'), { recursive: true });
  await writeFile(join(tree, 'X.app', 'Contents', 'MacOS', 'X'), 'exe\n'.repeat(100));
  await chmod(join(tree, 'X.app', 'Contents', 'MacOS', 'X'), 0o755);
  await symlink('MacOS/X', join(tree, 'X.app', 'Contents', 'X'));
  const path = join(dir, 'x.zip');
  const made = runTool('bsdtar', ['--format', 'zip', '-cf', path, '-C', tree, './X.app']);
  t.is(made.status, 0, made.stderr);
  const read = (await readZip(path)).sort((a, b) => a.path.localeCompare(b.path));
  t.deepEqual(read[0], {
    path: 'X.app/Contents/MacOS/X',
    content: Buffer.from('exe\n'.repeat(100)),
    mode: 0o755,
    type: 'file',
  });
  t.like(read[1], { path: 'X.app/Contents/X', content: Buffer.from('MacOS/X'), type: 'symlink' });
  t.is(read.length, 2);
});
