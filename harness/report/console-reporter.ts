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
  /** The VMs are kept (--keep-vm): the interrupted line must not say they were deleted. @default false */
  keepVm?: boolean;
  /**
   * While a step runs (a sysdiagnose takes up to 900 s, an IP wait minutes), a line with the elapsed
   * time this often, so that a person or a CI log watcher sees the run is alive. 0 turns it off.
   * @default 10000
   */
  heartbeatMs?: number;
}

/** @see ConsoleReporterOptions.heartbeatMs */
export const HEARTBEAT_MS = 10_000;

export class ConsoleReporter {
  private readonly write: (text: string) => void;
  private readonly results: IterationResult[] = [];
  private runStarted = 0;
  private iterationStarted = 0;
  private of = 0;
  private runDir = '';
  /** The step in flight and when it started, for the heartbeat. */
  private current: { label: string; startedAt: number } | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastLineAt = 0;

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
        // From the event's own time: an iteration held behind an earlier one (--parallel) prints later.
        this.iterationStarted = Date.parse(event.at) || Date.now();
        this.activity(event.iteration, 'cloning and booting');
        this.line(`[${event.iteration}/${event.of}] ${event.vm}: cloning and booting`);
        break;
      case 'vm-started':
        this.activity(event.iteration, 'after SSH came up');
        this.line(
          `[${event.iteration}/${this.of}] ${event.vm}: SSH up at ${event.host}:${event.port} (${this.elapsed(Date.parse(event.at))})`,
        );
        break;
      case 'step-started':
        if (this.options.verbose !== false) this.line(`[${event.iteration}/${this.of}]   ${event.step} ...`);
        this.activity(event.iteration, event.step);
        break;
      case 'step-finished':
        this.activity(event.iteration, `after ${event.step.name} (evidence, teardown or the next step)`);
        if (!event.step.ok || this.options.verbose !== false) {
          const status = event.step.ok ? 'ok' : 'FAILED';
          this.line(
            `[${event.iteration}/${this.of}]   ${event.step.name}: ${status} in ${seconds(event.step.durationMs)} (${this.elapsed(Date.parse(event.step.startedAt) + event.step.durationMs)})`,
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
        this.activity(undefined);
        const detail = r.outcome === 'pass' ? '' : `: ${r.message}`;
        this.line(
          `[${r.iteration}/${this.of}] ${r.outcome.toUpperCase()} in ${seconds(r.durationMs)}${detail}`,
        );
        break;
      }
      case 'run-finished': {
        this.activity(undefined);
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
          this.line(
            this.options.keepVm
              ? 'Interrupted: the iteration in flight is recorded as an error; its VM was kept (--keep-vm): `sysext-lab reap --all` deletes kept VMs.'
              : 'Interrupted: the iteration in flight is recorded as an error; VMs were cleaned up.',
          );
        this.line(
          `Run directory: ${this.runDir} (exit code ${event.exitCode}, ${seconds(Date.now() - this.runStarted)})`,
        );
        break;
      }
      default:
        break;
    }
  }

  /**
   * What the iteration is doing, for the heartbeat (undefined: nothing, the heartbeat stops). The
   * heartbeat prints only after heartbeatMs without any line.
   */
  private activity(iteration: number | undefined, what?: string): void {
    if (iteration === undefined || what === undefined) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
      this.current = undefined;
      return;
    }
    this.current = { label: `[${iteration}/${this.of}]   still ${what}`, startedAt: Date.now() };
    const everyMs = this.options.heartbeatMs ?? HEARTBEAT_MS;
    if (this.heartbeat || everyMs <= 0) return;
    this.heartbeat = setInterval(
      () => {
        if (!this.current || Date.now() - this.lastLineAt < everyMs) return;
        this.line(
          `${this.current.label}: ${seconds(Date.now() - this.current.startedAt)} (${this.elapsed()})`,
        );
      },
      Math.max(1, everyMs / 5),
    );
    // The heartbeat never keeps the process alive.
    this.heartbeat.unref();
  }

  private elapsed(at = Date.now()): string {
    return `${seconds((Number.isFinite(at) ? at : Date.now()) - this.iterationStarted)} into the iteration`;
  }

  private line(text: string): void {
    this.lastLineAt = Date.now();
    this.write(`${text}\n`);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
