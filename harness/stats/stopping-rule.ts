// --until-confident: after each iteration, has the evidence decided? Either the bug is reproduced
// (a target failure: the 95% Wilson interval's lower bound is then above zero), or the rate is
// below the threshold by the exact one-sided bound (59 clean runs in a row for 5%).
import { belowThreshold } from './clean-runs.ts';
import { wilsonInterval } from './wilson.ts';

export type Verdict = 'reproduced' | 'below-threshold' | 'undecided';

export interface Tally {
  /** Iterations that reached the target check's verdict: pass + target failures. */
  n: number;
  /** Target failures (fails that match the scenario's signature). */
  failures: number;
}

export function verdict(tally: Tally, threshold = 0.05): Verdict {
  if (tally.failures > 0 && wilsonInterval(tally.failures, tally.n).lo > 0) return 'reproduced';
  if (belowThreshold(tally.failures, tally.n, threshold)) return 'below-threshold';
  return 'undecided';
}
