// RunEvents: what the runner tells reporters. Reporters only consume these; nothing else prints.
import type { EvidenceReport } from '../evidence/collector.ts';

export type Outcome = 'pass' | 'fail' | 'error';

export interface StepRecord {
  name: string;
  startedAt: string;
  durationMs: number;
  ok: boolean;
  error?: string;
}

export interface BuildRecord {
  role: string;
  path: string;
  sha256: string;
  bytes: number;
  /** How the app is signed, once it is installed: Team ID, authority, runtime, notarization, spctl. */
  signing?: string;
  /** Filled in once the build is installed on a guest and its Info.plists are read. */
  bundles?: { bundleId: string; shortVersion: string; bundleVersion: string; kind: 'app' | 'extension' }[];
}

/** The guest's macOS as first seen (sw_vers) and its SIP state, for run.json and reports. */
export interface GuestOs {
  productName: string;
  productVersion: string;
  buildVersion: string;
  sip?: string;
}

export interface IterationResult {
  scenario: string;
  image: string;
  iteration: number;
  vm: string;
  outcome: Outcome;
  /** For `fail`: the check that failed; it is the target bug when it matches the scenario's signature. */
  failedCheck?: string;
  matchesSignature?: boolean;
  message?: string;
  /** For `error`: the error's class, e.g. WaitTimeoutError. */
  errorType?: string;
  startedAt: string;
  durationMs: number;
  steps: StepRecord[];
  /** Run-directory-relative paths of this iteration's files. */
  artifacts: string[];
  /** What the scenario recorded besides the outcome, e.g. `reboot-probe: recovered`. */
  findings?: Record<string, string>;
  /** What evidence collection gathered (files with size and sha256) and what failed. */
  evidence?: EvidenceReport;
}

export type RunEvent =
  | {
      type: 'run-started';
      runId: string;
      runDir: string;
      scenario: string;
      image: string;
      /** Planned iterations per image; with --until-fail or --until-confident the cap (--max). */
      iterations: number;
      backend: string;
      at: string;
      /** Every image of the matrix, in order; `image` is the first. */
      images?: string[];
      /** How iterations repeat, e.g. `repeat 20`, `until-confident (threshold 5%, max 200)`. */
      repetition?: string;
    }
  | {
      type: 'iteration-started';
      scenario: string;
      image: string;
      iteration: number;
      of: number;
      vm: string;
      at: string;
    }
  /** `at`: when SSH answered (host clock, ISO 8601); an iteration held behind an earlier one prints later. */
  | { type: 'vm-started'; iteration: number; vm: string; host: string; port: number; at: string }
  | { type: 'step-started'; iteration: number; step: string; at: string }
  | { type: 'step-finished'; iteration: number; step: StepRecord }
  | { type: 'check-failed'; iteration: number; check: string; message: string }
  /** A build as installed on a guest (bundles and signing filled in); the first install per role counts. */
  | { type: 'build-inspected'; build: BuildRecord }
  | { type: 'guest-identified'; guest: GuestOs }
  /** The image's content digest, once the VM tool has it cached (e.g. `tart fqn`). */
  | { type: 'image-resolved'; image: string; digest: string }
  | { type: 'artifact-saved'; iteration?: number; path: string; bytes: number }
  | { type: 'notice'; message: string }
  | {
      type: 'repetition-stopped';
      scenario: string;
      image: string;
      iterations: number;
      /** Why no further iteration ran on this image, e.g. `verdict below-threshold`. */
      reason: string;
    }
  | { type: 'iteration-finished'; result: IterationResult }
  | { type: 'run-finished'; at: string; exitCode: number; interrupted: boolean };

export type EmitEvent = (event: RunEvent) => void;
