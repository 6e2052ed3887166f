// What consumes RunEvents: the console, junit.xml, run.json, summary.json, results.json, report.html.
import type { EmitEvent, RunEvent } from '../scenario/events.ts';

export interface Reporter {
  handle(event: RunEvent): void;
}

/** One emit that hands each event to every reporter, in their order (files first, the console last). */
export function fanOut(reporters: readonly Reporter[]): EmitEvent {
  return (event) => {
    for (const reporter of reporters) reporter.handle(event);
  };
}
