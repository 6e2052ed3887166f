// How many iterations of each run would tell two rates apart, if the rates are what they are: the
// textbook normal-approximation size for comparing two proportions with a two-sided test at level
// alpha and the given power (Fleiss, Statistical Methods for Rates and Proportions, 1981, 3.3
// without continuity correction; R's power.prop.test solves the same equation).
import { normalQuantile } from './normal.ts';

export interface SampleSizeOptions {
  /** Two-sided level of the test. @default 0.05 */
  alpha?: number;
  /** Chance of deciding when the rates are as given. @default 0.8 */
  power?: number;
}

export const sampleSizeDefaults = { alpha: 0.05, power: 0.8 } as const;

/** Iterations per run; Infinity when the rates are equal (no number of iterations tells them apart). */
export function iterationsPerRun(pA: number, pB: number, options: SampleSizeOptions = {}): number {
  const alpha = options.alpha ?? sampleSizeDefaults.alpha;
  const power = options.power ?? sampleSizeDefaults.power;
  for (const [name, p] of [
    ['pA', pA],
    ['pB', pB],
  ] as const) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`iterationsPerRun needs 0 <= ${name} <= 1, got ${p}`);
  }
  const d = Math.abs(pA - pB);
  if (d === 0) return Number.POSITIVE_INFINITY;
  const mean = (pA + pB) / 2;
  const zAlpha = normalQuantile(1 - alpha / 2);
  const zBeta = normalQuantile(power);
  const root = zAlpha * Math.sqrt(2 * mean * (1 - mean)) + zBeta * Math.sqrt(pA * (1 - pA) + pB * (1 - pB));
  return Math.ceil((root / d) ** 2 - 1e-9);
}
