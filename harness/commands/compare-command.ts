// `sysext-lab compare RUN_A RUN_B`: did the fix work? B's rate of the scenario's bug against A's,
// with the difference's 95% interval, Fisher's exact test and one sentence for a ticket (--json: the
// same facts). Exit 0 whatever the verdict; 2 when the runs cannot be compared.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findScenario } from '../../scenarios/index.ts';
import { ConfigError } from '../errors.ts';
import { type RunDirContents, readRunDir } from '../report/run-dir.ts';
import { runLabels } from '../report/run-label.ts';
import type { ScenarioSummary } from '../report/run-summary.ts';
import type { FailureSignature } from '../scenario/define-scenario.ts';
import { compareRates, comparisonSentence, type RateComparison } from '../stats/compare-rates.ts';
import type { Repetition } from '../stats/repetition.ts';

export const compareUsage = `compare RUN_A RUN_B [--image NAME] [--label-a NAME] [--label-b NAME] [--json]
                   Is B's rate of the bug different from A's: difference with its 95% interval
                   (Newcombe), Fisher's exact test, and how many iterations would decide`;

export interface CompareOptions {
  /** The image to compare when a run has several. */
  image?: string;
  labelA?: string;
  labelB?: string;
  /** Where run ids are looked up when RUN_A/RUN_B are not directories. @default "artifacts" */
  artifactsDir?: string;
}

export interface RunComparison extends RateComparison {
  scenario: string;
  runs: { a: ComparedRun; b: ComparedRun };
  sentence: string;
}

interface ComparedRun {
  runDir: string;
  label: string;
  image: string;
  otherFailures: number;
  errors: number;
}

export async function compareCli(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      image: { type: 'string' },
      'label-a': { type: 'string' },
      'label-b': { type: 'string' },
      artifacts: { type: 'string', default: 'artifacts' },
    },
  });
  if (positionals.length !== 2) {
    throw new ConfigError(
      'run-dir',
      `compare takes two run directories (RUN_A, then RUN_B), got ${positionals.length}: e.g. sysext-lab compare artifacts/<run-a> artifacts/<run-b>`,
    );
  }
  const comparison = compareRuns(positionals[0]!, positionals[1]!, {
    image: values.image,
    labelA: values['label-a'],
    labelB: values['label-b'],
    artifactsDir: values.artifacts,
  });
  process.stdout.write(values.json ? `${JSON.stringify(comparison, null, 2)}\n` : `${comparison.sentence}\n`);
  return 0;
}

export function compareRuns(runA: string, runB: string, options: CompareOptions = {}): RunComparison {
  const a = readRunDir(resolveRunDir(runA, options.artifactsDir ?? 'artifacts'));
  const b = readRunDir(resolveRunDir(runB, options.artifactsDir ?? 'artifacts'));
  const scenarioId = sameFact('scenario', a, b, (run) => String(run.manifest.scenario ?? ''));
  sameFact('failure signature', a, b, (run) => signatureText(manifestSignature(run)));
  const summaryA = pickSummary(a, scenarioId, options.image);
  const summaryB = pickSummary(b, scenarioId, options.image);
  const [labelA, labelB] = runLabels(a, b, [summaryA.image, summaryB.image]);
  const comparison = compareRates(
    { fail: summaryA.fail, iterations: summaryA.pass + summaryA.fail },
    { fail: summaryB.fail, iterations: summaryB.pass + summaryB.fail },
  );
  const scenario = findScenario(scenarioId);
  const words = {
    unit: scenario?.unit ?? 'iterations',
    bug: scenario?.signature.description ?? 'failed',
    labelA: options.labelA ?? labelA,
    labelB: options.labelB ?? labelB,
  };
  const compared = (run: RunDirContents, s: ScenarioSummary, label: string): ComparedRun => ({
    runDir: run.runDir,
    label,
    image: s.image,
    otherFailures: s.otherFailures,
    errors: s.error,
  });
  let sentence = comparisonSentence(comparison, words);
  // Errors and other checks' failures say nothing about the bug: out of the rates, but not hidden.
  const apartA = summaryA.otherFailures + summaryA.error;
  const apartB = summaryB.otherFailures + summaryB.error;
  if (apartA + apartB > 0) {
    sentence += ` (Not counted: ${apartA} other failure(s) or error(s) in ${words.labelA}, ${apartB} in ${words.labelB}.)`;
  }
  return {
    ...comparison,
    scenario: scenarioId,
    runs: { a: compared(a, summaryA, words.labelA), b: compared(b, summaryB, words.labelB) },
    sentence,
  };
}

/** A run directory as given, or a run id under the artifacts folder. */
function resolveRunDir(given: string, artifactsDir: string): string {
  if (existsSync(given)) return given;
  const underArtifacts = join(artifactsDir, given);
  return existsSync(underArtifacts) ? underArtifacts : given;
}

function sameFact(
  what: string,
  a: RunDirContents,
  b: RunDirContents,
  fact: (run: RunDirContents) => string,
): string {
  const [factA, factB] = [fact(a), fact(b)];
  if (factA !== factB) {
    throw new ConfigError(
      'run-dir',
      `Cannot compare runs of different ${what}s: ${a.runDir} has ${what} ${factA || '(none)'}, ${b.runDir} has ${what} ${factB || '(none)'}`,
    );
  }
  return factA;
}

function pickSummary(run: RunDirContents, scenario: string, image: string | undefined): ScenarioSummary {
  const summaries = run.scenarios.filter((s) => s.id === scenario);
  const images = summaries.map((s) => s.image);
  let summary: ScenarioSummary | undefined;
  if (image !== undefined) {
    summary = summaries.find((s) => s.image === image);
    if (!summary) {
      throw new ConfigError(
        '--image',
        `${run.runDir} has no results on image ${image}: its images are ${images.join(', ') || '(none)'}`,
      );
    }
  } else if (summaries.length === 1) {
    summary = summaries[0];
  } else {
    throw new ConfigError(
      '--image',
      `${run.runDir} ran ${summaries.length === 0 ? 'no iteration' : `on several images (${images.join(', ')}): choose one with --image`}`,
    );
  }
  const s = summary as ScenarioSummary;
  if (s.failureRate === null && s.pass + s.fail > 0) {
    throw new ConfigError(
      'run-dir',
      `${run.runDir} claims no rate, so there is nothing to compare: ${s.sentence}`,
    );
  }
  if (s.pass + s.fail === 0) {
    throw new ConfigError(
      'run-dir',
      `${run.runDir} has no iteration that reached a verdict on the bug (${s.otherFailures} other failure(s), ${s.error} error(s)): nothing to compare`,
    );
  }
  return s;
}

/**
 * `run --compare-to RUN_A`: the repetition that runs until the new run's rate is shown to differ from
 * RUN_A's (a sequential test whose false-positive rate holds whenever it stops) or --max is reached.
 */
export function compareToRepetition(
  runA: string,
  options: {
    scenario: string;
    max: number;
    images?: string[];
    otherMode?: string;
    artifactsDir?: string;
    /** This run's scenario's signature (a built-in's, a project's or a file's). */
    signature: Pick<FailureSignature, 'check' | 'message'>;
  },
): Repetition {
  if (options.otherMode) {
    throw new ConfigError(
      '--compare-to',
      `--compare-to and ${options.otherMode} exclude each other: choose one`,
    );
  }
  if (options.images && options.images.length > 1) {
    throw new ConfigError(
      '--compare-to',
      `--compare-to compares one image with a finished run, got ${options.images.length}: ${options.images.join(', ')}`,
    );
  }
  const run = readRunDir(resolveRunDir(runA, options.artifactsDir ?? 'artifacts'));
  if (run.manifest.scenario !== options.scenario) {
    throw new ConfigError(
      '--compare-to',
      `Cannot compare runs of different scenarios: ${run.runDir} has scenario ${String(run.manifest.scenario ?? '(none)')}, this run has scenario ${options.scenario}`,
    );
  }
  // A run of the same scenario under another signature counted another bug: refused before any
  // iteration runs, not after.
  const theirs = signatureText(manifestSignature(run));
  const ours = signatureText({ check: options.signature.check, message: options.signature.message?.source });
  if (theirs !== ours) {
    throw new ConfigError(
      '--compare-to',
      `Cannot compare runs of different failure signatures: ${run.runDir} has failure signature ${theirs}, this run has failure signature ${ours}`,
    );
  }
  const summary = pickSummary(run, options.scenario, options.images?.[0] ?? singleImage(run));
  return {
    mode: 'until-different',
    max: options.max,
    baseline: { runDir: run.runDir, fail: summary.fail, n: summary.pass + summary.fail },
  };
}

/** A run's failure signature as its run.json records it (the message as its pattern's source). */
function manifestSignature(run: RunDirContents): { check?: string; message?: string } {
  return (run.manifest.signature ?? {}) as { check?: string; message?: string };
}

/** A failure signature in the words of a refusal: `check X` and the message pattern it must match. */
function signatureText(signature: { check?: string; message?: string }): string {
  return `check ${signature.check}${signature.message ? ` with a message matching ${signature.message}` : ''}`;
}

/** A run's only image, so that --compare-to without --image compares the image A ran on. */
function singleImage(run: RunDirContents): string | undefined {
  return run.scenarios.length === 1 ? run.scenarios[0]?.image : undefined;
}

/** After a --compare-to run: the comparison's sentence, or why there is none (the run's exit code stands). */
export function comparisonAfterRun(runA: string, runB: string, write: (text: string) => void): void {
  try {
    write(`${compareRuns(runA, runB).sentence}\n`);
  } catch (error) {
    write(`No comparison with ${runA}: ${(error as Error).message}\n`);
  }
}
