// How many iterations a run makes on each image: a fixed count (--repeat), until the first target
// failure (--until-fail), until the evidence decides (--until-confident), or until its rate is shown
// to differ from a finished run's (--compare-to), each capped by --max.
import { thresholdPercent } from './rate.ts';
import { sequentialDefaults, sequentialVerdict } from './sequential-comparison.ts';
import { type Tally, type Verdict, verdict } from './stopping-rule.ts';
import { thresholdVerdict } from './threshold-verdict.ts';

export type Repetition =
  | { mode: 'repeat'; count: number }
  | { mode: 'until-fail'; max: number }
  | { mode: 'until-confident'; max: number; threshold: number }
  /** A bisect step: until the rate is shown above or below the threshold. */
  | { mode: 'until-threshold'; max: number; threshold: number }
  | {
      mode: 'until-different';
      max: number;
      /** The finished run compared with: its target failures of its iterations with a verdict. */
      baseline: { runDir: string; fail: number; n: number };
      /** False-positive rate of the sequential test. @default 0.05 */
      alpha?: number;
    };

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
    case 'until-threshold':
      return `until above or below ${thresholdPercent(repetition.threshold)} (max ${repetition.max})`;
    case 'until-different':
      return `until the rate differs from ${repetition.baseline.fail} of ${repetition.baseline.n} in ${repetition.baseline.runDir} or --max ${repetition.max} (sequential test)`;
  }
}

/** Why the next iteration should not run, or null to go on. */
export function stopReason(repetition: Repetition, done: number, tally: Tally): string | null {
  if (done >= plannedIterations(repetition)) {
    if (repetition.mode === 'repeat') return null;
    if (repetition.mode === 'until-threshold') {
      return `reached --max ${repetition.max} (${thresholdVerdict(tally.failures, tally.n, repetition.threshold)})`;
    }
    if (repetition.mode === 'until-different') {
      return `reached --max ${repetition.max} (${comparisonVerdict(repetition, tally) ?? 'no difference shown'})`;
    }
    const v: Verdict =
      repetition.mode === 'until-confident' ? verdict(tally, repetition.threshold) : 'undecided';
    return `reached --max ${repetition.max}${repetition.mode === 'until-confident' ? ` (verdict ${v})` : ''}`;
  }
  if (repetition.mode === 'until-fail' && tally.failures > 0) return 'the target bug failed';
  if (repetition.mode === 'until-confident') {
    const v = verdict(tally, repetition.threshold);
    if (v !== 'undecided') return `verdict ${v}`;
  }
  if (repetition.mode === 'until-different') return comparisonVerdict(repetition, tally);
  if (repetition.mode === 'until-threshold') {
    const v = thresholdVerdict(tally.failures, tally.n, repetition.threshold);
    if (v !== 'undecided') return `the rate is ${v} ${thresholdPercent(repetition.threshold)}`;
  }
  return null;
}

/** "the rate is lower than <run>'s (sequential test, 5% false positives)", or null while undecided. */
function comparisonVerdict(
  repetition: Extract<Repetition, { mode: 'until-different' }>,
  tally: Tally,
): string | null {
  const alpha = repetition.alpha ?? sequentialDefaults.alpha;
  const v = sequentialVerdict(repetition.baseline, { fail: tally.failures, n: tally.n }, alpha);
  if (v === 'undecided') return null;
  return `the rate is ${v === 'b-lower' ? 'lower' : 'higher'} than in ${repetition.baseline.runDir} (sequential test, at most ${alpha * 100}% false positives)`;
}
