// Did the fix work? Two runs' rates of one bug, their difference with its 95% Newcombe interval and
// Fisher's exact test, and the sentence a person pastes into a ticket. When the test does not
// decide, it says how many iterations of each run would, if the rates hold.
import { fisherExactTwoSided } from './fisher-exact.ts';
import { newcombeInterval } from './newcombe.ts';
import { iterationsPerRun, sampleSizeDefaults } from './sample-size.ts';

export interface RunRate {
  /** Failures that match the signature. */
  fail: number;
  /** Iterations that reached a verdict on the bug: pass + fail. */
  iterations: number;
  rate: number;
}

export interface RateComparison {
  a: RunRate;
  b: RunRate;
  /** b.rate - a.rate: negative when B fails less often. */
  difference: number;
  /** 95% interval of the difference (Newcombe's hybrid score method). */
  ci95: [number, number];
  pValue: number;
  test: 'fisher-exact-two-sided';
  /** The level the p-value is held to. */
  alpha: number;
  significant: boolean;
  /**
   * When not significant: the iterations each run would need for the test to decide with 80%
   * power if the rates hold; null when the rates are equal (no number would).
   */
  iterationsToDecide?: number | null;
}

/** Above this many iterations per run, "would decide" is no practical advice. */
export const PRACTICAL_ITERATIONS = 100_000;

export function compareRates(
  a: { fail: number; iterations: number },
  b: { fail: number; iterations: number },
  options: { alpha?: number } = {},
): RateComparison {
  const alpha = options.alpha ?? sampleSizeDefaults.alpha;
  const counts = { failA: a.fail, nA: a.iterations, failB: b.fail, nB: b.iterations };
  const pValue = fisherExactTwoSided(counts);
  const rateA = a.fail / a.iterations;
  const rateB = b.fail / b.iterations;
  const significant = pValue < alpha;
  const needed = significant ? undefined : iterationsPerRun(rateA, rateB, { alpha });
  return {
    a: { fail: a.fail, iterations: a.iterations, rate: rateA },
    b: { fail: b.fail, iterations: b.iterations, rate: rateB },
    difference: rateB - rateA,
    ci95: newcombeInterval(counts),
    pValue,
    test: 'fisher-exact-two-sided',
    alpha,
    significant,
    ...(needed === undefined ? {} : { iterationsToDecide: needed > PRACTICAL_ITERATIONS ? null : needed }),
  };
}

function points(x: number): number {
  return Math.round(Math.abs(x) * 100);
}

/** p < 0.001, else two significant digits: p = 0.012, p = 0.41. */
export function formatP(p: number): string {
  if (p < 0.001) return 'p < 0.001';
  return `p = ${Number(p.toPrecision(2))}`;
}

/** "fewer by 20 points (95% CI 10-31)", or, when the interval straddles zero, from-to. */
function describeDifference(c: RateComparison): string {
  const [lo, hi] = c.ci95;
  if (lo > 0 || (lo === 0 && c.difference > 0))
    return `more by ${points(c.difference)} points (95% CI ${points(lo)}-${points(hi)})`;
  if (hi < 0 || (hi === 0 && c.difference < 0))
    return `fewer by ${points(c.difference)} points (95% CI ${points(hi)}-${points(lo)})`;
  const range = `95% CI from ${points(lo)} fewer to ${points(hi)} more`;
  if (c.difference === 0) return `no difference (${range})`;
  return `${c.difference > 0 ? 'more' : 'fewer'} by ${points(c.difference)} points (${range})`;
}

export interface ComparisonWording {
  /** What one iteration is, plural: "upgrades". */
  unit: string;
  /** What the bug does, past tense plural: "lost the XPC endpoint". */
  bug: string;
  /** How the two runs are named: "1.5" and "1.6", or their run ids. */
  labelA: string;
  labelB: string;
}

/**
 * "1.6: 0 of 59 upgrades lost the XPC endpoint, against 12 of 60 for 1.5: fewer by 20 points (95% CI
 * 10-31), p < 0.001." Then whether that decides, and if not how many iterations would.
 */
export function comparisonSentence(c: RateComparison, words: ComparisonWording): string {
  const head = `${words.labelB}: ${c.b.fail} of ${c.b.iterations} ${words.unit} ${words.bug}, against ${c.a.fail} of ${c.a.iterations} for ${words.labelA}: ${describeDifference(c)}, ${formatP(c.pValue)} (Fisher's exact test).`;
  if (c.significant) {
    return `${head} The difference is significant at the ${c.alpha * 100}% level.`;
  }
  const tooSmall = `Too small to tell: no significant difference at the ${c.alpha * 100}% level.`;
  if (c.iterationsToDecide === null || c.iterationsToDecide === undefined) {
    return `${head} ${tooSmall} The rates are too close for any practical number of iterations to tell them apart; the interval bounds any difference.`;
  }
  const moreA = Math.max(0, c.iterationsToDecide - c.a.iterations);
  const moreB = Math.max(0, c.iterationsToDecide - c.b.iterations);
  return `${head} ${tooSmall} If the rates hold, about ${c.iterationsToDecide} ${words.unit} of each run would decide (80% power): ${moreB} more for ${words.labelB}, ${moreA} more for ${words.labelA}.`;
}
