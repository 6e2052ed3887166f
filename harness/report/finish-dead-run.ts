// A run whose harness was killed (SIGKILL, a crashed CI agent) leaves its files as they were at the
// last rewrite: junit.xml says "not finished", run.json has no exit code, there is no summary.json.
// `reap` replays what results.json recorded through the same reporters, as an interrupted run, so
// that CI reads an interrupted run and not a green or an empty one.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IterationResult, RunEvent } from '../scenario/events.ts';
import { writeHtmlReport } from './html-report.ts';
import { JUnitReporter } from './junit-reporter.ts';
import { releaseReportReserve } from './report-reserve.ts';
import type { Reporter } from './reporter.ts';
import type { RunResultsFile } from './results-reporter.ts';
import { ResultsReporter } from './results-reporter.ts';
import type { RunManifest } from './run-manifest.ts';
import { SummaryReporter } from './summary-reporter.ts';
import { writeFileAtomic } from './write-atomic.ts';

/** What a killed run's exit code is recorded as: interrupted, like Ctrl-C. */
export const KILLED_EXIT_CODE = 130;

export interface FinishedDeadRun {
  runDir: string;
  iterations: number;
}

/**
 * Finishes the files of a run whose process is gone; returns undefined when there is nothing to
 * finish (no run.json, or it already has an exit code).
 */
export function finishDeadRun(runDir: string, detail: string, now = new Date()): FinishedDeadRun | undefined {
  const manifestPath = join(runDir, 'run.json');
  if (!existsSync(manifestPath)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Partial<RunManifest> &
    Record<string, unknown>;
  if (manifest.exitCode !== undefined) return undefined;
  releaseReportReserve(runDir);
  const results = readResults(runDir);
  const runId = manifest.runId ?? 'unknown';
  const scenario = manifest.scenario ?? 'unknown';
  const image = manifest.image ?? 'unknown';
  // The files were masked when the run wrote them; the replay only re-encodes what they hold.
  const reporters: Reporter[] = [
    new ResultsReporter(runDir),
    new SummaryReporter(runDir),
    new JUnitReporter(runDir, {
      runId,
      backend: String(manifest.backend ?? 'unknown'),
      builds: Object.fromEntries(
        (manifest.builds ?? []).map((b) => [b.role, `${b.path} sha256:${b.sha256}`]),
      ),
    }),
  ];
  const events: RunEvent[] = [
    {
      type: 'run-started',
      runId,
      runDir,
      scenario,
      image,
      iterations: manifest.iterations ?? results.length,
      backend: String(manifest.backend ?? 'unknown'),
      at: manifest.startedAt ?? now.toISOString(),
    },
    ...results.map((result) => ({ type: 'iteration-finished' as const, result })),
    { type: 'run-finished', at: now.toISOString(), exitCode: KILLED_EXIT_CODE, interrupted: true },
  ];
  for (const event of events) for (const reporter of reporters) reporter.handle(event);
  const finished = {
    ...manifest,
    finishedAt: now.toISOString(),
    exitCode: KILLED_EXIT_CODE,
    interrupted: true,
    killed: detail,
  };
  writeFileAtomic(manifestPath, `${JSON.stringify(finished, null, 2)}\n`);
  try {
    writeHtmlReport(runDir);
  } catch {
    // report.html is a view of the files above; they are what CI reads.
  }
  return { runDir, iterations: results.length };
}

function readResults(runDir: string): IterationResult[] {
  try {
    const file = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as Partial<RunResultsFile>;
    return Array.isArray(file.results) ? file.results : [];
  } catch {
    return [];
  }
}
