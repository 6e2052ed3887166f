// Counts per scenario and image, the failure rate of the target bug with its 95% interval, and the
// run's exit code (design: 0 all passed, 1 a check failed, 3 only infrastructure errors, 130
// interrupted). `fail` counts only failures matching the scenario's signature; other failures
// and errors are counted apart and never enter the rate.
import type { IterationResult } from '../scenario/events.ts';
import { failureRate, rateSentence } from '../stats/rate.ts';

export interface ScenarioSummary {
  id: string;
  image: string;
  iterations: number;
  pass: number;
  /** Failures that are the target bug (match the scenario's signature). */
  fail: number;
  /** Failures of other checks: reported, not counted in the rate. */
  otherFailures: number;
  error: number;
  /** fail / (pass + fail); null when no iteration reached a verdict. */
  failureRate: number | null;
  /** 95% Wilson interval of the failure rate. */
  ci95: [number, number];
  sentence: string;
  /** Counts of what iterations recorded, e.g. { "reboot-probe": { "recovered": 2 } }. */
  findings?: Record<string, Record<string, number>>;
  /** Durations iterations recorded (findings named `*-ms`), e.g. time-to-register-ms. */
  measurements?: Record<string, Measurement>;
}

/** The spread of one duration over the iterations that recorded it. */
export interface Measurement {
  count: number;
  min: number;
  median: number;
  max: number;
}

/** A finding whose name ends in `-ms` is a duration: summarised by its spread, not value by value. */
function isDuration(name: string): boolean {
  return name.endsWith('-ms');
}

function spread(values: number[]): Measurement {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { count: sorted.length, min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

/** How the sentence names one iteration and the bug: "upgrades", "lost the XPC endpoint". */
export interface SummaryWording {
  unit: string;
  bug: string;
  /** The rate a fix must be shown to stay below. @default 0.05 */
  threshold?: number;
  /** Why this run cannot show the bug at all (e.g. its sleep strategy): then no rate is claimed. */
  unobservable?: string;
}

export const exitCodes = {
  passed: 0,
  checkFailed: 1,
  usage: 2,
  infrastructure: 3,
  interrupted: 130,
} as const;

const defaultWording: SummaryWording = { unit: 'iterations', bug: 'failed' };

export function summarize(
  results: readonly IterationResult[],
  wording: (scenario: string) => SummaryWording = () => defaultWording,
): ScenarioSummary[] {
  const groups = new Map<string, { id: string; image: string; results: IterationResult[] }>();
  for (const result of results) {
    const key = `${result.scenario}\0${result.image}`;
    let group = groups.get(key);
    if (!group) {
      group = { id: result.scenario, image: result.image, results: [] };
      groups.set(key, group);
    }
    group.results.push(result);
  }
  return [...groups.values()].map(({ id, image, results: rs }) => {
    const counts = {
      pass: rs.filter((r) => r.outcome === 'pass').length,
      fail: rs.filter((r) => r.outcome === 'fail' && r.matchesSignature === true).length,
      otherFailures: rs.filter((r) => r.outcome === 'fail' && r.matchesSignature !== true).length,
      errors: rs.filter((r) => r.outcome === 'error').length,
    };
    const words = wording(id);
    const rate = words.unobservable ? { rate: null, ci95: [0, 1] as [number, number] } : failureRate(counts);
    const findings: Record<string, Record<string, number>> = {};
    const durations: Record<string, number[]> = {};
    for (const r of rs) {
      for (const [name, value] of Object.entries(r.findings ?? {})) {
        if (isDuration(name) && Number.isFinite(Number(value))) {
          durations[name] = [...(durations[name] ?? []), Number(value)];
          continue;
        }
        const counted = findings[name] ?? {};
        counted[value] = (counted[value] ?? 0) + 1;
        findings[name] = counted;
      }
    }
    return {
      id,
      image,
      iterations: rs.length,
      pass: counts.pass,
      fail: counts.fail,
      otherFailures: counts.otherFailures,
      error: counts.errors,
      failureRate: rate.rate,
      ci95: rate.ci95,
      sentence: words.unobservable
        ? unobservableSentence(counts, words, words.unobservable)
        : rateSentence(counts, words, words.threshold),
      ...(Object.keys(findings).length > 0 ? { findings } : {}),
      ...(Object.keys(durations).length > 0
        ? {
            measurements: Object.fromEntries(
              Object.entries(durations).map(([name, values]) => [name, spread(values)]),
            ),
          }
        : {}),
    };
  });
}

export function exitCodeFor(results: readonly IterationResult[], interrupted: boolean): number {
  if (interrupted) return exitCodes.interrupted;
  if (results.some((r) => r.outcome === 'fail')) return exitCodes.checkFailed;
  if (results.some((r) => r.outcome === 'error')) return exitCodes.infrastructure;
  return exitCodes.passed;
}

/** A run that cannot show the bug says so instead of counting its passes as clean runs. */
function unobservableSentence(
  counts: { pass: number; fail: number; otherFailures: number; errors: number },
  words: SummaryWording,
  reason: string,
): string {
  const failed = counts.fail + counts.otherFailures;
  return `No rate of ${words.unit} that ${words.bug}: ${reason}. ${counts.pass} passed, ${failed} failed a check, ${counts.errors} error(s).`;
}
