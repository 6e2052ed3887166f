import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import test from 'ava';
import { decodeXar, encodeXar, XarFormatError } from '../../../sim/builds/xar-archive.ts';
import { crossTitle, runTool, tempDir, testWithTools } from './tools.ts';

const mtime = new Date(Date.UTC(2024, 4, 2, 9, 30));
const files = [
  { path: 'Distribution', data: Buffer.from('<installer-gui-script/>\n'), encoding: 'zlib' as const },
  { path: 'x.pkg/PackageInfo', data: Buffer.from('<pkg-info/>\n'), encoding: 'zlib' as const },
  { path: 'x.pkg/Payload', data: Buffer.from('raw payload bytes'), encoding: 'none' as const, mode: 0o600 },
];

test('header: xar! magic, size 28, version 1, TOC lengths, sha1', async (t) => {
  const bytes = await encodeXar(files, { mtime });
  t.is(bytes.toString('latin1', 0, 4), 'xar!');
  t.is(bytes.readUInt16BE(4), 28);
  t.is(bytes.readUInt16BE(6), 1);
  const compressed = Number(bytes.readBigUInt64BE(8));
  const toc = inflateSync(bytes.subarray(28, 28 + compressed));
  t.is(toc.length, Number(bytes.readBigUInt64BE(16)));
  t.is(bytes.readUInt32BE(24), 1);
  // The heap starts with the sha1 of the compressed TOC.
  const heap = 28 + compressed;
  const sha1 = createHash('sha1').update(bytes.subarray(28, heap)).digest();
  t.deepEqual(bytes.subarray(heap, heap + 20), sha1);
  const text = toc.toString('utf8');
  t.regex(text, /<checksum style="sha1">\s*<offset>0<\/offset>\s*<size>20<\/size>/);
  t.regex(text, /<encoding style="application\/x-gzip"\/>/);
  t.regex(text, /<encoding style="application\/octet-stream"\/>/);
  t.regex(text, /<name>x\.pkg<\/name>/);
});

test('round trip gives files and implied directories with modes', async (t) => {
  const entries = await decodeXar(await encodeXar(files, { mtime }));
  t.deepEqual(
    entries.map((e) => [e.path, e.type, e.mode.toString(8), e.data.toString('utf8')]),
    [
      ['Distribution', 'file', '644', '<installer-gui-script/>\n'],
      ['x.pkg', 'directory', '755', ''],
      ['x.pkg/PackageInfo', 'file', '644', '<pkg-info/>\n'],
      ['x.pkg/Payload', 'file', '600', 'raw payload bytes'],
    ],
  );
});

test('same input and mtime give the same bytes', async (t) => {
  t.deepEqual(await encodeXar(files, { mtime }), await encodeXar(files, { mtime }));
});

test('a changed file byte fails its archived checksum', async (t) => {
  const bytes = await encodeXar(files, { mtime });
  bytes.writeUInt8(bytes.at(-1)! ^ 1, bytes.length - 1);
  await t.throwsAsync(decodeXar(bytes), {
    instanceOf: XarFormatError,
    message: /^Bad checksum.*x\.pkg\/Payload/,
  });
});

testWithTools('bsdtar')(
  crossTitle('bsdtar (libarchive) lists and extracts our xar, checksums verified', 'bsdtar'),
  async (t) => {
    const dir = await tempDir(t);
    const archive = join(dir, 'a.xar');
    await writeFile(archive, await encodeXar(files, { mtime }));
    const listed = runTool('bsdtar', ['-tf', archive]);
    t.is(listed.status, 0, listed.stderr);
    t.deepEqual(listed.stdout.toString('utf8').trim().split('\n').sort(), [
      'Distribution',
      'x.pkg',
      'x.pkg/PackageInfo',
      'x.pkg/Payload',
    ]);
    const payload = runTool('bsdtar', ['-xOf', archive, 'x.pkg/Payload']);
    t.is(payload.status, 0, payload.stderr);
    t.is(payload.stdout.toString('utf8'), 'raw payload bytes');
    const info = runTool('bsdtar', ['-xOf', archive, 'x.pkg/PackageInfo']);
    t.is(info.stdout.toString('utf8'), '<pkg-info/>\n');
  },
);

testWithTools('bsdtar')(crossTitle('we read what bsdtar --format xar writes', 'bsdtar'), async (t) => {
  const dir = await tempDir(t);
  const tree = join(dir, 'tree');
  await mkdir(join(tree, 'sub'), { recursive: true });
  await writeFile(join(tree, 'sub', 'f.txt'), 'hello xar\n'.repeat(50));
  await chmod(join(tree, 'sub', 'f.txt'), 0o640);
  const archive = join(dir, 'b.xar');
  const made = runTool('bsdtar', ['--format', 'xar', '-cf', archive, '-C', tree, 'sub']);
  t.is(made.status, 0, made.stderr);
  const entries = await decodeXar(await readFile(archive));
  const file = entries.find((e) => e.path === 'sub/f.txt');
  t.truthy(file);
  t.is(file?.type, 'file');
  t.is(file?.mode, 0o640);
  t.is(file?.data.toString('utf8'), 'hello xar\n'.repeat(50));
  t.is(entries.find((e) => e.path === 'sub')?.type, 'directory');
});
