// Runs every evidence collector in turn, each bounded by its own timeout and by the run's signal,
// and records each file's size and sha256 (streamed) or each collector's failure. It never throws
// and never touches the iteration's outcome: evidence is a side product of a result already known.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { delay, isTimeoutReason, race, untilAborted } from '../abort.ts';
import { CommandError } from '../errors.ts';
import { RedactionError, type Redactor } from '../report/redact.ts';
import type {
  EvidenceCollector,
  EvidenceContext,
  EvidenceFile,
  EvidenceProblem,
  EvidenceRecord,
  EvidenceReport,
} from './collector.ts';

export interface CollectEvidenceOptions {
  /** Paths in records are made relative to it (run.json lives there). */
  runDir?: string;
  /** Masks secrets in every file before it is hashed. */
  redactor?: Redactor;
  /** Told as each collector starts and ends, for progress output. */
  onCollector?: (name: string, phase: 'started' | 'finished' | 'failed', detail?: string) => void;
}

export async function collectEvidence(
  collectors: readonly EvidenceCollector[],
  ctx: EvidenceContext,
  options: CollectEvidenceOptions = {},
): Promise<EvidenceReport> {
  const started = performance.now();
  const report: EvidenceReport = { files: [], problems: [], durationMs: 0 };
  const evidenceDir = join(ctx.iterationDir, 'evidence');
  const seen = new Set<string>();
  try {
    await mkdir(evidenceDir, { recursive: true });
  } catch {
    // A folder that cannot be made fails each collector, which records why.
  }
  for (const collector of collectors) {
    // After Ctrl-C the remaining collectors are recorded as not run, quickly.
    const collectorStarted = performance.now();
    const timeoutMs = collector.timeoutMs ?? ctx.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    let returned: EvidenceFile[] = [];
    let problem: EvidenceProblem | undefined;
    options.onCollector?.(collector.name, 'started');
    let work: Promise<EvidenceFile[]> | undefined;
    try {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      // A collector that ignores its signal is not waited for; its late work is dropped.
      work = collector.collect({ ...ctx, signal });
      returned = await untilAborted(work, signal);
    } catch (error) {
      // One that heeds it is given a moment to finish its clean-up (a download removing its
      // `.partial`), so that the folder is read after it, not during it.
      if (work) await settledWithin(work, CLEAN_UP_MS);
      const reason = ctx.signal.aborted
        ? 'interrupted'
        : timeout.aborted || isTimeoutReason(error) || (error instanceof CommandError && error.timedOut)
          ? 'timed-out'
          : 'failed';
      problem = {
        collector: collector.name,
        reason,
        message:
          reason === 'timed-out'
            ? `Timed out after ${timeoutMs} ms collecting ${collector.name} on ${ctx.guest.target}`
            : errorMessage(error),
        durationMs: Math.round(performance.now() - collectorStarted),
        partialFiles: 0,
      };
    }
    // Whatever reached the evidence folder counts, also from a collector that failed halfway.
    const sources = new Map(returned.map((file) => [file.path, file.source]));
    for (const path of await listFiles(evidenceDir)) {
      if (seen.has(path)) continue;
      seen.add(path);
      let record: EvidenceRecord | undefined;
      try {
        record = await describe(collector.name, path, sources.get(path) ?? '', options);
      } catch (error) {
        // The file could not be redacted and is gone: say so, as this collector's problem.
        if (!(error instanceof RedactionError)) throw error;
        const redaction = {
          collector: collector.name,
          reason: 'failed' as const,
          message: error.message,
          durationMs: Math.round(performance.now() - collectorStarted),
          partialFiles: 0,
        };
        if (problem) problem.message += `; ${error.message}`;
        else report.problems.push(redaction);
        continue;
      }
      if (record) report.files.push(record);
      if (problem && record) problem.partialFiles += 1;
    }
    if (problem) {
      report.problems.push(problem);
      options.onCollector?.(collector.name, 'failed', `${problem.reason}: ${problem.message}`);
    } else options.onCollector?.(collector.name, 'finished');
  }
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

/** How long a collector cut short by its signal may still take to clean up after itself. */
const CLEAN_UP_MS = 2_000;

/** Waits until `work` settles, for at most `ms`; its result or error is not needed. */
function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  return race<void>([() => work.then(ignore, ignore), (signal) => delay(ms, signal)]);
}

const ignore = () => {};

async function describe(
  collector: string,
  path: string,
  source: string,
  options: CollectEvidenceOptions,
): Promise<EvidenceRecord | undefined> {
  try {
    const redactions = options.redactor ? await options.redactor.redactFile(path) : 0;
    const { sha256, bytes } = await hashFile(path);
    return {
      collector,
      path: options.runDir ? relative(options.runDir, path) : path,
      source,
      bytes,
      sha256,
      ...(redactions ? { redactions } : {}),
    };
  } catch (error) {
    if (error instanceof RedactionError) throw error;
    // A file that vanished or cannot be read is not evidence; the collector's problem says why.
    return undefined;
  }
}

/** sha256 and size of a file, read as a stream. */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function listFiles(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    // Temporary files of a redaction or a download in flight are not evidence: a collector cut
    // short by Ctrl-C or its timeout may still be removing its `.partial` (guest-files.ts).
    else if (entry.isFile() && !/\.(redacting|partial)$/.test(entry.name) && (await isFile(full)))
      out.push(full);
  }
  return out;
}

/** Whether `path` is a file still: one removed since its folder was read is not. */
async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
