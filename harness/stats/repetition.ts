// How many iterations a run makes on each image: a fixed count (--repeat), until the first target
// failure (--until-fail), or until the evidence decides (--until-confident), each capped by --max.
import { thresholdPercent } from './rate.ts';
import { type Tally, type Verdict, verdict } from './stopping-rule.ts';

export type Repetition =
  | { mode: 'repeat'; count: number }
  | { mode: 'until-fail'; max: number }
  | { mode: 'until-confident'; max: number; threshold: number };

export const repetitionDefaults = {
  /** Cap for --until-fail and --until-confident when --max is not given. */
  max: 300,
  /** --until-confident's threshold: the failure rate a fix must be shown to stay below. */
  threshold: 0.05,
} as const;

/** The most iterations the policy may run on one image. */
export function plannedIterations(repetition: Repetition): number {
  return repetition.mode === 'repeat' ? repetition.count : repetition.max;
}

export function describeRepetition(repetition: Repetition): string {
  switch (repetition.mode) {
    case 'repeat':
      return `repeat ${repetition.count}`;
    case 'until-fail':
      return `until-fail (max ${repetition.max})`;
    case 'until-confident':
      return `until-confident (threshold ${thresholdPercent(repetition.threshold)}, max ${repetition.max})`;
  }
}

/** Why the next iteration should not run, or null to go on. */
export function stopReason(repetition: Repetition, done: number, tally: Tally): string | null {
  if (done >= plannedIterations(repetition)) {
    if (repetition.mode === 'repeat') return null;
    const v: Verdict =
      repetition.mode === 'until-confident' ? verdict(tally, repetition.threshold) : 'undecided';
    return `reached --max ${repetition.max}${repetition.mode === 'until-confident' ? ` (verdict ${v})` : ''}`;
  }
  if (repetition.mode === 'until-fail' && tally.failures > 0) return 'the target bug failed';
  if (repetition.mode === 'until-confident') {
    const v = verdict(tally, repetition.threshold);
    if (v !== 'undecided') return `verdict ${v}`;
  }
  return null;
}
