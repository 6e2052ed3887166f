// Reads a finished (or interrupted) run directory back: run.json and results.json, for report.html
// and `sysext-lab feedback`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { IterationResult } from '../scenario/events.ts';
import type { RunResultsFile } from './results-reporter.ts';
import type { RunManifest } from './run-manifest.ts';
import type { ScenarioSummary } from './run-summary.ts';

export interface RunDirContents {
  runDir: string;
  manifest: Partial<RunManifest> & Record<string, unknown>;
  /** Counts and rates per scenario and image (results.json). */
  scenarios: ScenarioSummary[];
  /** Every iteration's result, in order (results.json). */
  iterations: IterationResult[];
}

export function readRunDir(runDir: string): RunDirContents {
  const manifest = readJson(runDir, 'run.json');
  const results = readJson(runDir, 'results.json') as Partial<RunResultsFile>;
  if (!Array.isArray(results.results) || !Array.isArray(results.scenarios)) {
    throw new ConfigError(
      'run-dir',
      `Not a run directory of this sysext-lab: ${join(runDir, 'results.json')} has no results and scenarios arrays`,
    );
  }
  return { runDir, manifest, scenarios: results.scenarios, iterations: results.results };
}

/** What an iteration's outcome was about: the failed check for a fail, the error's class for an error. */
export function outcomeKind(result: IterationResult): string | undefined {
  return result.failedCheck ?? result.errorType;
}

function readJson(runDir: string, name: string): Record<string, unknown> {
  const path = join(runDir, name);
  if (!existsSync(path)) throw new ConfigError('run-dir', `Not a run directory: ${runDir} has no ${name}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError('run-dir', `Cannot read ${path}: ${(error as Error).message}`);
  }
}
