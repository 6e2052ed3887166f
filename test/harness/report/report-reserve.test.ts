import { mkdtempSync, readFileSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  holdReportReserve,
  REPORT_RESERVE_NAME,
  releaseReportReserve,
} from '../../../harness/report/report-reserve.ts';

test('the reserve is 16 MiB of zeros, written in full, and released', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-reserve-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { bavail, bsize } = statfsSync(dir);
  if (bavail * bsize < 64 * 1024 * 1024) return t.pass('less than 64 MiB free here: a smaller reserve');
  holdReportReserve(dir);
  const path = join(dir, REPORT_RESERVE_NAME);
  const stats = statSync(path);
  t.is(stats.size, 16 * 1024 * 1024);
  // Allocated, not a sparse file: the space is really set aside.
  t.true(stats.blocks * 512 >= stats.size);
  t.true(readFileSync(path).every((byte) => byte === 0));
  releaseReportReserve(dir);
  t.throws(() => statSync(path));
});
