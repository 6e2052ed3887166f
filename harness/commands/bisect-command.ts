// `sysext-lab bisect --builds DIR --scenario S`: which build broke it? The builds in DIR, ordered by
// the version in their file names, are searched for the first whose rate of the scenario's bug is
// above --threshold; each step runs one build until its rate is shown above or below (or --max), so
// iterations go where they decide. Prints each build's evidence and the boundary (--json: the same).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findScenario, scenarios } from '../../scenarios/index.ts';
import { ConfigError, InterruptedError } from '../errors.ts';
import type { EvidenceMode } from '../evidence/iteration-evidence.ts';
import { runCommand } from '../run-command.ts';
import type { Scenario } from '../scenario/define-scenario.ts';
import { loadScenario } from '../scenario/load-scenario.ts';
import { bisectBuilds } from '../stats/bisect-search.ts';
import { thresholdPercent } from '../stats/rate.ts';
import { repetitionDefaults } from '../stats/repetition.ts';
import { type ThresholdVerdict, thresholdVerdict } from '../stats/threshold-verdict.ts';
import { absorbLateSignals } from './late-signals.ts';

export const bisectUsage = `bisect --builds DIR --scenario S [--threshold P] [--max N] [--input NAME] [--json]
                   The first build (by version) whose rate of the bug is above --threshold; each
                   step runs one build until its rate is shown above or below (run options apply)`;

export interface BisectBuild {
  path: string;
  version: string;
  /** Set for the builds the search ran. */
  verdict?: ThresholdVerdict;
  fail?: number;
  /** Iterations with a verdict on the bug (pass + fail). */
  iterations?: number;
  /** All iterations, errors included. */
  ran?: number;
  runDir?: string;
}

export interface BisectReport {
  scenario: string;
  threshold: number;
  input: string;
  builds: BisectBuild[];
  /** Version of the first build above the threshold; null when none is or the search stopped. */
  firstAbove: string | null;
  /** Version whose step ended undecided at --max, which stopped the search. */
  undecided?: string;
  iterationsSpent: number;
  sentence: string;
}

/** The version in a build's file name: its last dotted number, e.g. "SXL Sample 1.4.pkg" -> 1.4. */
export function buildVersion(name: string): string | undefined {
  return [...name.matchAll(/\d+(?:\.\d+)+/g)].at(-1)?.[0];
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function orderedBuilds(dir: string): BisectBuild[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.(pkg|zip|app)$/.test(n));
  } catch (error) {
    throw new ConfigError('--builds', `Cannot read --builds ${dir}: ${(error as Error).message}`);
  }
  const builds = names.map((name) => {
    const version = buildVersion(name);
    if (!version)
      throw new ConfigError('--builds', `No version in the build's file name: ${join(dir, name)}`);
    return { path: join(dir, name), version };
  });
  builds.sort((a, b) => compareVersions(a.version, b.version));
  for (let i = 1; i < builds.length; i += 1) {
    if (compareVersions(builds[i - 1]!.version, builds[i]!.version) === 0) {
      throw new ConfigError(
        '--builds',
        `Two builds have version ${builds[i]!.version}: ${builds[i - 1]!.path}, ${builds[i]!.path}`,
      );
    }
  }
  if (builds.length < 2) {
    throw new ConfigError(
      '--builds',
      `bisect needs at least two builds (.pkg, .zip or .app) in ${dir}, found ${builds.length}`,
    );
  }
  return builds;
}

/** The build input the builds go to: --input, else `to`, else the scenario's only build input. */
function buildInput(scenario: Scenario, given: string | undefined): string {
  const names = Object.entries(scenario.inputs)
    .filter(([, input]) => input.kind === 'build')
    .map(([name]) => name);
  const name = given ?? (names.includes('to') ? 'to' : names.length === 1 ? names[0] : undefined);
  if (!name || !names.includes(name)) {
    throw new ConfigError(
      '--input',
      `bisect needs the build input of ${scenario.id} that the builds go to: --input one of ${names.join(', ') || '(none)'}${given ? `, got "${given}"` : ''}`,
    );
  }
  return name;
}

export async function bisectCli(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      builds: { type: 'string' },
      scenario: { type: 'string' },
      threshold: { type: 'string' },
      max: { type: 'string' },
      input: { type: 'string' },
      backend: { type: 'string' },
      seed: { type: 'string' },
      quirk: { type: 'string', multiple: true, default: [] },
      artifacts: { type: 'string', default: 'artifacts' },
      evidence: { type: 'string', default: 'on-failure' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.builds)
    throw new ConfigError('--builds', 'bisect needs --builds DIR, the folder of builds to search');
  // A built-in id, a project scenario's id or a scenario file, as `run` takes it.
  const scenario = values.scenario === undefined ? undefined : await loadScenario(values.scenario);
  if (!scenario) {
    throw new ConfigError(
      '--scenario',
      `bisect needs --scenario, one of ${scenarios.map((s) => s.id).join(', ')}${values.scenario ? `; got "${values.scenario}"` : ''}`,
    );
  }
  const threshold = values.threshold === undefined ? repetitionDefaults.threshold : Number(values.threshold);
  if (!(threshold > 0 && threshold < 1)) {
    throw new ConfigError(
      '--threshold',
      `--threshold must be a number between 0 and 1, got "${values.threshold}"`,
    );
  }
  const max = values.max === undefined ? repetitionDefaults.max : Number(values.max);
  if (!(Number.isInteger(max) && max >= 1))
    throw new ConfigError('--max', `--max must be a whole number >= 1, got "${values.max}"`);
  const quirks: Record<string, number> = {};
  for (const entry of values.quirk) {
    const match = /^([a-z0-9-]+)=(\d+(?:\.\d+)?)$/.exec(entry);
    if (!match) throw new ConfigError('--quirk', `--quirk expects NAME=P, got "${entry}"`);
    quirks[match[1]!] = Number(match[2]);
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed))
    throw new ConfigError('--seed', `--seed must be a whole number, got "${values.seed}"`);

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => controller.abort(new InterruptedError(signal));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const report = await bisect({
      scenario,
      buildsDir: values.builds,
      threshold,
      max,
      input: values.input,
      run: (inputs, repetition, step) =>
        runCommand({
          scenario,
          backend: values.backend,
          backendSettings: {
            ...(seed === undefined ? {} : { seed: seed + step }),
            ...(values.quirk.length ? { quirks } : {}),
          },
          repetition,
          inputs,
          artifactsDir: values.artifacts,
          evidence: values.evidence as EvidenceMode,
          argv: ['sysext-lab', 'bisect', ...args],
          signal: controller.signal,
          // Progress goes to stderr; stdout carries the answer.
          write: (text) => process.stderr.write(text),
        }),
    });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
    return controller.signal.aborted ? 130 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    absorbLateSignals();
  }
}

export interface BisectOptions {
  scenario: Scenario;
  buildsDir: string;
  threshold: number;
  max: number;
  input?: string;
  /** Runs one step (the `step`-th probe, from 0); the caller owns the backend and its settings. */
  run: (
    inputs: Record<string, string>,
    repetition: { mode: 'until-threshold'; max: number; threshold: number },
    step: number,
  ) => Promise<{
    runDir: string;
    exitCode: number;
    results: { outcome: string; matchesSignature?: boolean }[];
  }>;
}

export async function bisect(options: BisectOptions): Promise<BisectReport> {
  const { scenario, threshold, max } = options;
  const input = buildInput(scenario, options.input);
  const builds = orderedBuilds(options.buildsDir);
  let step = 0;
  const result = await bisectBuilds(builds.length, async (index) => {
    const build = builds[index]!;
    const outcome = await options.run(
      { [input]: build.path },
      { mode: 'until-threshold', max, threshold },
      step,
    );
    step += 1;
    const fail = outcome.results.filter((r) => r.outcome === 'fail' && r.matchesSignature === true).length;
    const iterations = outcome.results.filter((r) => r.outcome === 'pass').length + fail;
    build.verdict = thresholdVerdict(fail, iterations, threshold);
    Object.assign(build, { fail, iterations, ran: outcome.results.length, runDir: outcome.runDir });
    return build.verdict;
  });
  const firstAbove = result.firstAbove === null ? null : builds[result.firstAbove]!.version;
  const undecided = result.undecided === undefined ? undefined : builds[result.undecided]!.version;
  const iterationsSpent = builds.reduce((sum, b) => sum + (b.ran ?? 0), 0);
  const level = thresholdPercent(threshold);
  const unit = scenario.unit ?? 'iterations';
  let sentence: string;
  if (undecided !== undefined) {
    sentence = `Stopped undecided: ${undecided} was neither shown above nor below ${level} within --max ${max}; run it longer or choose another threshold.`;
  } else if (firstAbove === null) {
    sentence = `No build is above ${level}: the last, ${builds.at(-1)!.version}, was shown below it.`;
  } else {
    const before = result.firstAbove! > 0 ? builds[result.firstAbove! - 1]! : undefined;
    sentence = `First build above ${level}: ${firstAbove}${before ? `, after ${before.version} (below)` : ' (the first build)'}.`;
  }
  sentence += ` ${iterationsSpent} ${unit} in ${result.probes.length} step(s).`;
  return {
    scenario: scenario.id,
    threshold,
    input,
    builds,
    firstAbove,
    ...(undecided === undefined ? {} : { undecided }),
    iterationsSpent,
    sentence,
  };
}

export function renderReport(report: BisectReport): string {
  const scenario = findScenario(report.scenario);
  const unit = scenario?.unit ?? 'iterations';
  const bug = scenario?.signature.description ?? 'failed';
  const width = Math.max(...report.builds.map((b) => b.version.length));
  const lines = [
    `Bisect of ${report.scenario} over ${report.builds.length} builds (--${report.input}), threshold ${thresholdPercent(report.threshold)}:`,
  ];
  for (const b of report.builds) {
    const evidence =
      b.verdict === undefined
        ? 'not run'
        : `${b.verdict === 'undecided' ? 'undecided' : `${b.verdict} ${thresholdPercent(report.threshold)}`}: ${b.fail} of ${b.iterations} ${unit} ${bug}${b.ran! > b.iterations! ? ` (${b.ran! - b.iterations!} not counted)` : ''} (${b.runDir})`;
    lines.push(`  ${b.version.padEnd(width)}  ${evidence}`);
  }
  lines.push(report.sentence);
  return `${lines.join('\n')}\n`;
}
