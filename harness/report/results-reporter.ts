// results.json: every iteration's result (outcome, steps, findings, evidence) and the summary, as
// one JSON document: what report.html and `sysext-lab feedback` read. Rewritten as iterations finish
// (at most once a second) and when the run ends, so that a run that dies leaves what it had.
import { join } from 'node:path';
import type { IterationResult, RunEvent } from '../scenario/events.ts';
import type { Shard } from '../scenario/shard.ts';
import type { Reporter } from './reporter.ts';
import { RewriteThrottle } from './rewrite-throttle.ts';
import { type ScenarioSummary, type SummaryWording, summarize } from './run-summary.ts';
import { writeFileAtomic } from './write-atomic.ts';

/** results.json as written; exitCode and interrupted appear once the run has ended. */
export interface RunResultsFile {
  runId: string;
  /** The CI shard this run was (--shard K/N); `sysext-lab merge` joins the shards. */
  shard?: Shard;
  exitCode?: number;
  interrupted?: boolean;
  scenarios: ScenarioSummary[];
  results: IterationResult[];
}

export interface ResultsReporterOptions {
  /** Wording of the rate sentence per scenario. */
  wording?: (scenario: string) => SummaryWording;
  /** The CI shard the run is, recorded in the file. @default undefined */
  shard?: Shard;
  /** Masks secrets in the file (messages carry guest output). @default identity */
  redact?: (text: string) => string;
}

/** The shortest time between two rewrites while iterations finish. */
export const RESULTS_REWRITE_INTERVAL_MS = 1000;

export class ResultsReporter implements Reporter {
  private readonly results: IterationResult[] = [];
  private runId = '';
  private end: { exitCode: number; interrupted: boolean } | undefined;
  private readonly rewrite = new RewriteThrottle(() => this.write(), RESULTS_REWRITE_INTERVAL_MS);

  constructor(
    private readonly runDir: string,
    private readonly options: ResultsReporterOptions = {},
  ) {}

  get path(): string {
    return join(this.runDir, 'results.json');
  }

  handle(event: RunEvent): void {
    switch (event.type) {
      case 'run-started':
        this.runId = event.runId;
        this.rewrite.now();
        break;
      case 'iteration-finished':
        this.results.push(event.result);
        this.rewrite.soon();
        break;
      case 'run-finished':
        this.end = { exitCode: event.exitCode, interrupted: event.interrupted };
        this.rewrite.now();
        break;
      default:
        break;
    }
  }

  private write(): void {
    const file: RunResultsFile = {
      runId: this.runId,
      ...(this.options.shard ? { shard: this.options.shard } : {}),
      ...this.end,
      scenarios: summarize(this.results, this.options.wording),
      results: this.results,
    };
    const text = `${JSON.stringify(file, null, 2)}\n`;
    writeFileAtomic(this.path, this.options.redact ? this.options.redact(text) : text);
  }
}
