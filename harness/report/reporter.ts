// What consumes RunEvents: the console, junit.xml, run.json, summary.json, results.json, report.html.
import type { EmitEvent, RunEvent } from '../scenario/events.ts';

export interface Reporter {
  handle(event: RunEvent): void;
}

/**
 * One emit that hands each event to every reporter, in their order (files first, the console last).
 * A reporter that throws (a full disk, a read-only folder) goes to `onError` and the others still get
 * the event: the run, and the teardown of its VMs, never depend on writing a report.
 */
export function fanOut(
  reporters: readonly Reporter[],
  onError: (error: unknown, reporter: Reporter, event: RunEvent) => void = (error) => {
    throw error;
  },
): EmitEvent {
  return (event) => {
    for (const reporter of reporters) {
      try {
        reporter.handle(event);
      } catch (error) {
        onError(error, reporter, event);
      }
    }
  };
}
