// Keeps a parallel run's output in iteration order: the lowest unfinished iteration streams its
// events live, later ones are held and flushed, in order, once every iteration before them ended.
// The console, transcripts' readers and junit.xml then read as a serial run would.
import type { EmitEvent, RunEvent } from './events.ts';

export class OrderedEvents {
  /** Iterations announced and not yet flushed, in iteration order, with what they said so far. */
  private readonly pending: { iteration: number; held: RunEvent[]; finished: boolean }[] = [];

  constructor(private readonly emit: EmitEvent) {}

  /** Announces an iteration before it runs; iterations are announced in ascending order. */
  expect(iteration: number): void {
    if (this.pending.some((p) => p.iteration === iteration)) return;
    const last = this.pending.at(-1);
    if (last && last.iteration > iteration) {
      throw new Error(`Iterations must be announced in order: ${iteration} after ${last.iteration}`);
    }
    this.pending.push({ iteration, held: [], finished: false });
  }

  /** The emitter of one announced iteration: live while it is the lowest unfinished one, else held. */
  emitterFor(iteration: number): EmitEvent {
    return (event) => {
      const entry = this.pending.find((p) => p.iteration === iteration);
      if (!entry || entry === this.pending[0]) this.emit(event);
      else entry.held.push(event);
    };
  }

  /** The iteration has said everything: flush it and every finished one after it, in order. */
  finish(iteration: number): void {
    const entry = this.pending.find((p) => p.iteration === iteration);
    if (!entry) return;
    entry.finished = true;
    while (this.pending[0]?.finished) {
      this.pending.shift();
      const next = this.pending[0];
      if (!next) break;
      // The next one becomes live: what it said while it waited goes out first.
      for (const event of next.held.splice(0)) this.emit(event);
    }
  }

  /** Events held for iterations that never finished (a crash): out in order, so nothing is lost. */
  flushAll(): void {
    for (const entry of this.pending.splice(0)) for (const event of entry.held) this.emit(event);
  }
}
