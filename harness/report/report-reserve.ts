// A full artifacts filesystem may cost evidence, never results. A run sets space aside in its run
// directory when it starts and gives it back just before its final reports (run.json, results.json,
// summary.json, junit.xml, report.html), after every VM is gone and no transcript or evidence is
// written any more. While the run goes on, a report that meets a full disk fails (and is said), but
// the reserve stays: freed earlier, it would be eaten by the transcripts and evidence of the
// iterations in flight, and the final results.json would be lost again.
import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** In the run directory; `reap` removes it from a run that was killed before giving it back. */
export const REPORT_RESERVE_NAME = '.report-reserve';

/** A quarter of the free space, up to this: the final reports of a few hundred failing iterations. */
const MAX_RESERVE_BYTES = 16 * 1024 * 1024;

/** Sets the space aside (zeros, written out so that the filesystem really allocates them). */
export function holdReportReserve(runDir: string): void {
  try {
    const { bavail, bsize } = statfsSync(runDir);
    const bytes = Math.min(MAX_RESERVE_BYTES, Math.floor((bavail * bsize) / 4));
    if (bytes > 0) writeFileSync(reservePath(runDir), Buffer.alloc(bytes));
  } catch {
    // Already full, or a filesystem that cannot say: the run goes on without a reserve.
    releaseReportReserve(runDir);
  }
}

/** Gives the space back (before the final reports, or when `reap` finishes a killed run); idempotent. */
export function releaseReportReserve(runDir: string): void {
  rmSync(reservePath(runDir), { force: true });
}

function reservePath(runDir: string): string {
  return join(runDir, REPORT_RESERVE_NAME);
}
