// Progress for a person watching: iteration k of N, the current step, elapsed time, the outcome.
// The only writer to the terminal during a run.
import { relative } from 'node:path';
import type { IterationResult, RunEvent } from '../scenario/events.ts';
import { type SummaryWording, summarize } from './run-summary.ts';

export interface ConsoleReporterOptions {
  write?: (text: string) => void;
  /** Print every step, not only failures. @default true */
  verbose?: boolean;
  /** Wording of the rate sentence per scenario. */
  wording?: (scenario: string) => SummaryWording;
}

export class ConsoleReporter {
  private readonly write: (text: string) => void;
  private readonly results: IterationResult[] = [];
  private runStarted = 0;
  private iterationStarted = 0;
  private of = 0;
  private runDir = '';

  constructor(private readonly options: ConsoleReporterOptions = {}) {
    this.write = options.write ?? ((text) => process.stdout.write(text));
  }

  handle(event: RunEvent): void {
    switch (event.type) {
      case 'run-started':
        this.runStarted = Date.now();
        // Relative to where the user stands, when it is below it.
        this.runDir = relative(process.cwd(), event.runDir).startsWith('..')
          ? event.runDir
          : relative(process.cwd(), event.runDir);
        this.of = event.iterations;
        this.line(
          `sysext-lab: ${event.scenario} on ${(event.images ?? [event.image]).join(', ')} (${event.backend}), ${
            event.repetition && !event.repetition.startsWith('repeat ')
              ? event.repetition
              : `${event.iterations} iteration(s)`
          }, run ${event.runId}`,
        );
        break;
      case 'iteration-started':
        this.iterationStarted = Date.now();
        this.line(`[${event.iteration}/${event.of}] ${event.vm}: cloning and booting`);
        break;
      case 'vm-started':
        this.line(
          `[${event.iteration}/${this.of}] ${event.vm}: SSH up at ${event.host}:${event.port} (${this.elapsed()})`,
        );
        break;
      case 'step-started':
        if (this.options.verbose !== false) this.line(`[${event.iteration}/${this.of}]   ${event.step} ...`);
        break;
      case 'step-finished':
        if (!event.step.ok || this.options.verbose !== false) {
          const status = event.step.ok ? 'ok' : 'FAILED';
          this.line(
            `[${event.iteration}/${this.of}]   ${event.step.name}: ${status} in ${seconds(event.step.durationMs)} (${this.elapsed()})`,
          );
        }
        break;
      case 'check-failed':
        this.line(`[${event.iteration}/${this.of}]   check ${event.check} failed: ${event.message}`);
        break;
      case 'repetition-stopped':
        this.line(
          `${event.scenario} on ${event.image}: stopped after ${event.iterations} iteration(s): ${event.reason}`,
        );
        break;
      case 'notice':
        this.line(`note: ${event.message}`);
        break;
      case 'iteration-finished': {
        const r = event.result;
        this.results.push(r);
        const detail = r.outcome === 'pass' ? '' : `: ${r.message}`;
        this.line(
          `[${r.iteration}/${this.of}] ${r.outcome.toUpperCase()} in ${seconds(r.durationMs)}${detail}`,
        );
        break;
      }
      case 'run-finished': {
        for (const s of summarize(this.results, this.options.wording)) {
          const other = s.otherFailures > 0 ? `, ${s.otherFailures} other failure(s)` : '';
          this.line(
            `${s.id} on ${s.image}: ${s.iterations} iteration(s): ${s.pass} passed, ${s.fail} failed${other}, ${s.error} error(s)`,
          );
          this.line(`  ${s.sentence}`);
          for (const [name, values] of Object.entries(s.findings ?? {})) {
            this.line(
              `  ${name}: ${Object.entries(values)
                .map(([value, count]) => `${count} ${value}`)
                .join(', ')}`,
            );
          }
          for (const [name, m] of Object.entries(s.measurements ?? {})) {
            this.line(`  ${name}: ${m.count} measured, min ${m.min}, median ${m.median}, max ${m.max}`);
          }
        }
        if (event.interrupted)
          this.line('Interrupted: the iteration in flight is recorded as an error; VMs were cleaned up.');
        this.line(
          `Run directory: ${this.runDir} (exit code ${event.exitCode}, ${seconds(Date.now() - this.runStarted)})`,
        );
        break;
      }
      default:
        break;
    }
  }

  private elapsed(): string {
    return `${seconds(Date.now() - this.iterationStarted)} into the iteration`;
  }

  private line(text: string): void {
    this.write(`${text}\n`);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
