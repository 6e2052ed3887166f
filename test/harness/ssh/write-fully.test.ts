// writeFully: a short write is written on, never taken as done. A file size limit (ulimit -f) makes
// the kernel take only the bytes up to the limit and say so in writev's count; the next write then
// fails with EFBIG (Node ignores SIGXFSZ). Ignoring the count would report the write as done.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { afterBytes } from '../../../harness/ssh/write-fully.ts';

const module = new URL('../../../harness/ssh/write-fully.ts', import.meta.url).href;

test('a write cut short by the file size limit goes on and fails with EFBIG', (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sxl-write-')), 'out.bin');
  const script = `
    import { open } from 'node:fs/promises';
    import { writeFully } from ${JSON.stringify(module)};
    const file = await open(${JSON.stringify(path)}, 'w');
    try {
      await writeFully(file, [Buffer.alloc(1500, 1), Buffer.alloc(1500, 2)], 0);
      console.log('done');
    } catch (error) {
      console.log(error.code);
    } finally {
      await file.close();
    }`;
  // ulimit -f counts blocks of 512 bytes in dash, of 1024 in bash: either cuts the 3000 bytes short.
  const output = execFileSync(
    'sh',
    ['-c', 'ulimit -f 2 && exec "$0" --import tsx --input-type=module -e "$1"', process.execPath, script],
    { encoding: 'utf8' },
  );
  t.is(output.trim(), 'EFBIG');
  // The first writev took the bytes up to the limit: the short write the second one found out.
  const size = statSync(path).size;
  t.true(size > 0 && size < 3000, `${size} bytes`);
});

test('afterBytes: what a short write leaves, cut inside a buffer or at its end', (t) => {
  const buffers = [Buffer.from('abc'), Buffer.from('de'), Buffer.from('fgh')];
  const text = (rest: readonly Buffer[]) => rest.map((b) => b.toString()).join('|');
  t.is(text(afterBytes(buffers, 0)), 'abc|de|fgh');
  t.is(text(afterBytes(buffers, 1)), 'bc|de|fgh');
  t.is(text(afterBytes(buffers, 3)), 'de|fgh');
  t.is(text(afterBytes(buffers, 4)), 'e|fgh');
  t.is(text(afterBytes(buffers, 5)), 'fgh');
  t.is(text(afterBytes(buffers, 6)), 'gh');
  t.is(text(afterBytes(buffers, 8)), '');
});
