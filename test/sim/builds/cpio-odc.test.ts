import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import {
  type CpioEntry,
  CpioFormatError,
  decodeCpioOdc,
  encodeCpioOdc,
} from '../../../sim/builds/cpio-odc.ts';
import { crossTitle, runTool, tempDir, testWithTools } from './tools.ts';

const entries: CpioEntry[] = [
  {
    name: '.',
    type: 'directory',
    mode: 0o755,
    uid: 0,
    gid: 0,
    mtime: 1_700_000_000,
    content: Buffer.alloc(0),
  },
  {
    name: './A b.app',
    type: 'directory',
    mode: 0o755,
    uid: 0,
    gid: 80,
    mtime: 1_700_000_000,
    content: Buffer.alloc(0),
  },
  {
    name: './A b.app/run',
    type: 'file',
    mode: 0o755,
    uid: 0,
    gid: 80,
    mtime: 1_700_000_001,
    content: Buffer.from('#!/bin/sh\n'),
  },
  {
    name: './A b.app/ünï',
    type: 'file',
    mode: 0o600,
    uid: 501,
    gid: 20,
    mtime: 0,
    content: Buffer.from([0, 1, 2, 255]),
  },
];

test('round trip keeps names, types, modes, owners, times and contents', (t) => {
  t.deepEqual(decodeCpioOdc(encodeCpioOdc(entries)), entries);
});

test('header layout is 070707 then octal fields, name with NUL, data without padding, TRAILER!!!', (t) => {
  const bytes = encodeCpioOdc([entries[2]!]);
  const header = bytes.toString('latin1', 0, 76);
  t.is(header.slice(0, 6), '070707');
  t.regex(header, /^[0-7]{76}$/);
  // mode field (after magic, dev, ino) holds S_IFREG | 0755.
  t.is(header.slice(18, 24), '100755');
  t.is(Number.parseInt(header.slice(48, 59), 8), 1_700_000_001);
  const nameSize = Number.parseInt(header.slice(59, 65), 8);
  t.is(nameSize, './A b.app/run'.length + 1);
  t.is(Number.parseInt(header.slice(65, 76), 8), 10);
  t.is(bytes.toString('utf8', 76, 76 + nameSize), './A b.app/run\0');
  t.is(bytes.toString('utf8', 76 + nameSize, 86 + nameSize), '#!/bin/sh\n');
  t.is(bytes.toString('latin1', 86 + nameSize, 86 + nameSize + 6), '070707');
  t.true(bytes.toString('latin1').endsWith('TRAILER!!!\0'));
});

test('rejects garbage, truncation and fields that do not fit', (t) => {
  t.throws(() => decodeCpioOdc(Buffer.from('hello world')), { instanceOf: CpioFormatError });
  const bytes = encodeCpioOdc(entries);
  t.throws(() => decodeCpioOdc(bytes.subarray(0, bytes.length - 5)), {
    instanceOf: CpioFormatError,
    message: /^Truncated/,
  });
  t.throws(() => decodeCpioOdc(Buffer.from(`070707${'9'.repeat(70)}`)), { message: /^Bad header/ });
  t.throws(() => encodeCpioOdc([{ ...entries[0]!, uid: 0o1000000 }]), {
    instanceOf: CpioFormatError,
    message: /^Field overflow/,
  });
});

test('only CpioFormatError escapes on mutated archives', (t) => {
  const bytes = encodeCpioOdc(entries);
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.nat(bytes.length),
      (mutations, cut) => {
        const copy = Buffer.from(bytes.subarray(0, cut));
        for (const [i, v] of mutations) if (i < copy.length) copy[i] = v;
        try {
          decodeCpioOdc(copy);
        } catch (error) {
          return error instanceof CpioFormatError;
        }
        return true;
      },
    ),
    { numRuns: 1000 },
  );
  t.pass();
});

testWithTools('cpio')(crossTitle('GNU cpio lists and extracts what we write', 'cpio'), async (t) => {
  const dir = await tempDir(t);
  const listed = runTool('cpio', ['-itv', '--quiet'], { input: encodeCpioOdc(entries) });
  t.is(listed.status, 0, listed.stderr);
  const lines = listed.stdout.toString('utf8').trim().split('\n');
  t.is(lines.length, entries.length);
  t.regex(lines[2]!, /^-rwxr-xr-x .* 10 .*\.\/A b\.app\/run$/);
  t.regex(lines[3]!, /^-rw------- .*\.\/A b\.app\/ünï$/);
  const extracted = runTool('cpio', ['-idm', '--quiet'], { cwd: dir, input: encodeCpioOdc(entries) });
  t.is(extracted.status, 0, extracted.stderr);
  const check = runTool('sh', ['-c', 'stat -c "%a %s" "A b.app/run"; cat "A b.app/run"'], { cwd: dir });
  t.is(check.stdout.toString('utf8'), '755 10\n#!/bin/sh\n');
});

testWithTools('cpio')(crossTitle('we read what GNU cpio -H odc writes', 'cpio'), async (t) => {
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'f'), 'content\n', { mode: 0o640 });
  const made = runTool('cpio', ['-o', '-H', 'odc', '--quiet'], {
    cwd: dir,
    input: Buffer.from('.\nsub\nsub/f\n'),
  });
  t.is(made.status, 0, made.stderr);
  const decoded = decodeCpioOdc(made.stdout);
  t.deepEqual(
    decoded.map((e) => [e.name, e.type, e.mode.toString(8), e.content.toString('utf8')]),
    [
      ['.', 'directory', '755', ''],
      ['sub', 'directory', '755', ''],
      ['sub/f', 'file', '640', 'content\n'],
    ],
  );
});
