// Counts per scenario and image, and the run's exit code (design: 0 all passed, 1 a check failed,
// 3 only infrastructure errors, 130 interrupted).
import type { IterationResult } from '../scenario/events.ts';

export interface ScenarioSummary {
  id: string;
  image: string;
  iterations: number;
  pass: number;
  fail: number;
  error: number;
}

export const exitCodes = {
  passed: 0,
  checkFailed: 1,
  usage: 2,
  infrastructure: 3,
  interrupted: 130,
} as const;

export function summarize(results: readonly IterationResult[]): ScenarioSummary[] {
  const groups = new Map<string, ScenarioSummary>();
  for (const result of results) {
    const key = `${result.scenario}\0${result.image}`;
    let group = groups.get(key);
    if (!group) {
      group = { id: result.scenario, image: result.image, iterations: 0, pass: 0, fail: 0, error: 0 };
      groups.set(key, group);
    }
    group.iterations += 1;
    group[result.outcome] += 1;
  }
  return [...groups.values()];
}

export function exitCodeFor(results: readonly IterationResult[], interrupted: boolean): number {
  if (interrupted) return exitCodes.interrupted;
  if (results.some((r) => r.outcome === 'fail')) return exitCodes.checkFailed;
  if (results.some((r) => r.outcome === 'error')) return exitCodes.infrastructure;
  return exitCodes.passed;
}
