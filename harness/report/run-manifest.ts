// run.json: what ran, where, with what: enough to repeat the run and to tell two runs apart. Written
// when the run starts (so that a run that dies at its first clone still says what it was) and again
// when it ends, with what the run learnt on the way (guest OS, installed bundles, image digest).
import { join } from 'node:path';
import type { HostFacts } from '../backends/backend-profile.ts';
import type { EvidenceProblem, EvidenceRecord } from '../evidence/collector.ts';
import type { SleepStrategy } from '../macos/sleep-wake.ts';
import type { BuildRecord, GuestOs, IterationResult, RunEvent } from '../scenario/events.ts';
import type { Shard } from '../scenario/shard.ts';
import type { Repetition } from '../stats/repetition.ts';
import type { Reporter } from './reporter.ts';
import type { SummaryWording } from './run-summary.ts';
import { writeFileAtomic } from './write-atomic.ts';

export interface RunManifest {
  runId: string;
  harnessVersion: string;
  command: string[];
  backend: string;
  tool: string;
  toolVersion: string;
  host: HostFacts;
  /** The image's digest as the VM tool resolved it (`tart fqn`), when known. */
  imageDigest?: string;
  image: string;
  images: string[];
  guest?: GuestOs;
  scenario: string;
  /** What a failure counts as, and the positive evidence it needs. */
  signature: { check: string; message?: string; description: string; evidence: string };
  iterations: number;
  repetition: Repetition;
  /** Iterations run at once (--parallel, or the backend's free slots). */
  parallel?: number;
  /** The CI shard this run was (--shard K/N): it ran `iterations` of the whole run's. */
  shard?: Shard;
  /** How the rate is worded, for `sysext-lab merge` (written by shards). */
  rateWording?: SummaryWording;
  /** The shard run directories `sysext-lab merge` joined into this one. */
  mergedFrom?: string[];
  sleepStrategy: SleepStrategy;
  builds: BuildRecord[];
  /** Set by backends that take them (the sim records its seed and quirks). */
  seed?: number;
  quirks?: Record<string, number>;
  startedAt: string;
  finishedAt?: string;
  exitCode?: number;
  interrupted?: boolean;
  /** Per iteration that collected evidence: each file's path, size and sha256, and what failed. */
  evidence?: { iteration: number; files: EvidenceRecord[]; problems: EvidenceProblem[] }[];
}

export interface ManifestReporterOptions {
  /** Masks secrets in the file. @default identity */
  redact?: (text: string) => string;
}

export class ManifestReporter implements Reporter {
  private readonly manifest: RunManifest;
  private readonly results: IterationResult[] = [];

  /** `manifest`: the facts known before the run (what the backend records is spread into it). */
  constructor(
    private readonly runDir: string,
    manifest: RunManifest,
    private readonly options: ManifestReporterOptions = {},
  ) {
    this.manifest = { ...manifest, builds: manifest.builds.map((b) => ({ ...b })) };
  }

  get path(): string {
    return join(this.runDir, 'run.json');
  }

  handle(event: RunEvent): void {
    switch (event.type) {
      case 'run-started':
        this.write();
        break;
      case 'build-inspected': {
        const record = this.manifest.builds.find((b) => b.role === event.build.role);
        // The first install of a role describes it; later iterations install the same file.
        if (record && !record.bundles) Object.assign(record, event.build);
        break;
      }
      case 'guest-identified':
        this.manifest.guest ??= event.guest;
        break;
      case 'image-resolved':
        if (event.image === this.manifest.image) this.manifest.imageDigest = event.digest;
        break;
      case 'iteration-finished':
        this.results.push(event.result);
        break;
      case 'run-finished':
        this.manifest.finishedAt = event.at;
        this.manifest.exitCode = event.exitCode;
        this.manifest.interrupted = event.interrupted;
        this.manifest.evidence = this.results
          .filter((r) => r.evidence)
          .map((r) => ({ iteration: r.iteration, files: r.evidence!.files, problems: r.evidence!.problems }));
        this.write();
        break;
      default:
        break;
    }
  }

  private write(): void {
    const text = `${JSON.stringify(this.manifest, null, 2)}\n`;
    writeFileAtomic(this.path, this.options.redact ? this.options.redact(text) : text);
  }
}
