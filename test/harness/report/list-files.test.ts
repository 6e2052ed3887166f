import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { listFilesSorted } from '../../../harness/report/list-files.ts';

test('files depth first in name order; an entry gone by the time it is looked at is left out', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-list-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'b'));
  writeFileSync(join(dir, 'b', 'inner.txt'), 'x');
  writeFileSync(join(dir, 'a.txt'), 'x');
  // What a removed `.partial` looks like between the folder's read and the entry's stat: a name
  // whose target is gone.
  symlinkSync(join(dir, 'gone.partial'), join(dir, 'c.partial'));
  t.deepEqual(listFilesSorted(dir), [join(dir, 'a.txt'), join(dir, 'b', 'inner.txt')]);
});
