// summary.json: the counts, the rate and its interval per scenario and image, and the run's exit
// code. Written when the run ends, however it ends.
import { join } from 'node:path';
import type { IterationResult, RunEvent } from '../scenario/events.ts';
import type { Shard } from '../scenario/shard.ts';
import type { Reporter } from './reporter.ts';
import { type ScenarioSummary, type SummaryWording, summarize } from './run-summary.ts';
import { writeFileAtomic } from './write-atomic.ts';

/** summary.json as written. */
export interface RunSummaryFile {
  runId: string;
  /** The CI shard this run was (--shard K/N); `sysext-lab merge` joins the shards. */
  shard?: Shard;
  exitCode: number;
  interrupted: boolean;
  scenarios: ScenarioSummary[];
}

export interface SummaryReporterOptions {
  /** Wording of the rate sentence per scenario. */
  wording?: (scenario: string) => SummaryWording;
  /** The CI shard the run is, recorded in the file. @default undefined */
  shard?: Shard;
  /** Masks secrets in the file. @default identity */
  redact?: (text: string) => string;
}

export class SummaryReporter implements Reporter {
  private readonly results: IterationResult[] = [];
  private runId = '';

  constructor(
    private readonly runDir: string,
    private readonly options: SummaryReporterOptions = {},
  ) {}

  get path(): string {
    return join(this.runDir, 'summary.json');
  }

  handle(event: RunEvent): void {
    if (event.type === 'run-started') this.runId = event.runId;
    else if (event.type === 'iteration-finished') this.results.push(event.result);
    else if (event.type === 'run-finished') {
      const file: RunSummaryFile = {
        runId: this.runId,
        ...(this.options.shard ? { shard: this.options.shard } : {}),
        exitCode: event.exitCode,
        interrupted: event.interrupted,
        scenarios: summarize(this.results, this.options.wording),
      };
      const text = `${JSON.stringify(file, null, 2)}\n`;
      writeFileAtomic(this.path, this.options.redact ? this.options.redact(text) : text);
    }
  }
}
