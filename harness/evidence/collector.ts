// The shape every evidence collector shares, and what the runner records about each: a file's
// path, size and sha256, or a collector's failure (which, why, how long).
import type { GuestSession } from '../ssh/guest-session.ts';

export interface EvidenceContext {
  guest: GuestSession;
  /** Iteration folder on the host; collectors write under `<iterationDir>/evidence/`. */
  iterationDir: string;
  /** The iteration number, for archive names (`sxl-<iteration>`). */
  iteration: number;
  /** When the iteration began, by the guest's clock. */
  since: Date;
  /** Aborted on Ctrl-C: collectors stop and keep what they wrote. */
  signal: AbortSignal;
  /** Bound for one collector unless it sets its own. */
  timeoutMs: number;
  /** The scenario's own unified-log predicates, added to the log slice. */
  predicates: readonly string[];
  /** Bundle ids of the extensions under test (their processes, jobs and log lines). */
  extensions: readonly string[];
}

export interface EvidenceFile {
  /** Host path of the file. */
  path: string;
  /** Guest command or path it came from, for the report. */
  source: string;
}

export interface EvidenceCollector {
  name: string;
  /** Own bound, overriding `ctx.timeoutMs` (sysdiagnose takes minutes). */
  timeoutMs?: number;
  collect(ctx: EvidenceContext): Promise<EvidenceFile[]>;
}

/** One collected file as recorded in run.json. */
export interface EvidenceRecord {
  collector: string;
  /** Relative to the run directory when a runDir is given, else absolute. */
  path: string;
  source: string;
  bytes: number;
  sha256: string;
  /** Secrets masked in it by the redactor. */
  redactions?: number;
}

/** A collector that failed or timed out; the others still ran. */
export interface EvidenceProblem {
  collector: string;
  reason: 'failed' | 'timed-out' | 'interrupted';
  message: string;
  durationMs: number;
  /** Files it wrote before it stopped, recorded in `files` too. */
  partialFiles: number;
}

export interface EvidenceReport {
  files: EvidenceRecord[];
  problems: EvidenceProblem[];
  durationMs: number;
}
