// `sysext-lab run`: validates the options, sets up the backend, the run directory and the
// reporters, runs the scenario, and always leaves junit.xml, run.json and summary.json behind.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { imageNameProblem } from './backends/image-reference.ts';
import { simBackendOptions, simSampleBuilds } from './backends/sim-profile.ts';
import { TartBackend, type TartBackendOptions, tartBackendDefaults } from './backends/tart-backend.ts';
import { ConfigError, HostCommandError, InterruptedError } from './errors.ts';
import type { EvidenceMode } from './evidence/iteration-evidence.ts';
import type { InstalledBuild } from './macos/install-build.ts';
import type { SleepStrategy, SleepWakeOptions } from './macos/sleep-wake.ts';
import { ConsoleReporter } from './report/console-reporter.ts';
import { writeHtmlReport } from './report/html-report.ts';
import { JUnitReporter } from './report/junit-reporter.ts';
import { Redactor } from './report/redact.ts';
import {
  describeBuild,
  hostFacts,
  macHostFacts,
  type RunManifest,
  writeManifest,
} from './report/run-manifest.ts';
import { exitCodeFor, type SummaryWording, summarize } from './report/run-summary.ts';
import { writeFileAtomic } from './report/write-atomic.ts';
import { newRunId, registerRun } from './run-registry.ts';
import { type FailureSignature, type Scenario, unobservableReason } from './scenario/define-scenario.ts';
import type { BuildRecord, IterationResult, RunEvent } from './scenario/events.ts';
import { runScenario } from './scenario/runner.ts';
import { validateScenarioInputs } from './scenario/validate-inputs.ts';
import { describeRepetition, plannedIterations, type Repetition } from './stats/repetition.ts';
import { harnessVersion } from './version.ts';

export interface RunOptions {
  scenario: Scenario;
  /** `sim` (the embedded simulated Mac) or `tart` (a real Apple-silicon Mac). @default 'sim' */
  backend: 'sim' | 'tart';
  /** Image to clone per iteration. @default runDefaults.image */
  image: string;
  /** The image matrix (--image a,b,c); rates are per image. @default [image] */
  images?: string[];
  /** @default 1 */
  repeat: number;
  /** --until-fail / --until-confident with --max and --threshold; overrides `repeat`. */
  repetition?: Repetition;
  /** How scenarios sleep and wake the guest (--sleep-strategy). @default 'guest' */
  sleepStrategy?: SleepStrategy;
  /** Fine-tuning of sleep/wake timing (tests, slow hosts). */
  sleepWake?: Omit<SleepWakeOptions, 'strategy'>;
  /** Scenario inputs (--from, --to, ...). */
  inputs: Record<string, string>;
  /** Seeds the sim's quirks; recorded so that a run can be repeated exactly. */
  seed: number;
  /** Sim fault models, name -> probability. Only with backend sim. */
  quirks: Record<string, number>;
  /** @default 'artifacts' */
  artifactsDir: string;
  /** @default false */
  keepVm: boolean;
  /** Command that launches the app to request activation. @default ['open', '-a'] */
  launchCommand?: string[];
  /** The command line, for run.json and the repro command. */
  argv: string[];
  signal: AbortSignal;
  hurry?: () => boolean;
  /** Terminal output. @default process.stdout */
  write?: (text: string) => void;
  /** Overrides for tests: the sim's TART_HOME and delay scale. */
  sim?: { tartHome?: string; timeScale?: number };
  /** Override for the real backend's tart executable. @default TART_BIN or `tart` */
  tartBin?: string;
  /** When to collect sysdiagnose, logs and state before teardown. @default 'on-failure' */
  evidence?: EvidenceMode;
  /** How long sysdiagnose may take. @default 900000 (15 minutes) */
  sysdiagnoseTimeoutMs?: number;
  /** Names of environment variables holding tokens to redact from everything written. */
  redactEnv?: string[];
  /**
   * How long checks wait for what macOS registers in the background (the upgraded extension's
   * launchd job and XPC endpoint, the old version's termination) before its absence counts.
   * @default 60000; on the sim scaled by its time scale, at least 2000
   */
  registrationDeadlineMs?: number;
}

export const runDefaults = {
  backend: 'sim',
  image: 'ghcr.io/cirruslabs/macos-sequoia-base:latest',
  repeat: 1,
  artifactsDir: 'artifacts',
  sleepStrategy: 'guest',
  registrationDeadlineMs: 60_000,
} as const;

/** run.json, with what this module adds to the shared manifest. */
type RunManifestWithRepetition = RunManifest & {
  images: string[];
  repetition: Repetition;
  sleepStrategy: SleepStrategy;
  /** What a failure counts as, and the positive evidence it needs. */
  signature: Omit<FailureSignature, 'message'> & { message?: string };
};

function wordingOf(scenario: Scenario): (id: string) => SummaryWording {
  return () => ({ unit: scenario.unit ?? 'iterations', bug: scenario.signature.description });
}

export interface RunOutcome {
  exitCode: number;
  runDir: string;
  results: IterationResult[];
}

export async function runCommand(options: RunOptions): Promise<RunOutcome> {
  if (options.backend === 'sim')
    options = { ...options, inputs: withSimSamples(options.scenario, options.inputs) };
  validate(options);
  // Before anything touches tart: a bad input is a usage error, and no VM is cloned for it.
  await validateScenarioInputs(options.scenario, options.inputs);
  const images = options.images && options.images.length > 0 ? options.images : [options.image];
  const repetition: Repetition = options.repetition ?? { mode: 'repeat', count: options.repeat };
  const sleepStrategy = options.sleepStrategy ?? runDefaults.sleepStrategy;
  const inputs = withInputDefaults(options.scenario, options.inputs);
  const baseWording = wordingOf(options.scenario);
  const unobservable = unobservableReason(options.scenario.signature, sleepStrategy);
  const wording = (id: string): SummaryWording => ({
    ...baseWording(id),
    ...(repetition.mode === 'until-confident' ? { threshold: repetition.threshold } : {}),
    ...(unobservable ? { unobservable } : {}),
  });
  const timeScale = options.sim?.timeScale ?? Number(process.env.SXL_SIM_TIME_SCALE ?? 0.1);
  const sleepWake: SleepWakeOptions = {
    strategy: sleepStrategy,
    // On the sim, modelled time is scaled: waiting 30 s for a sleep that never comes would only slow tests.
    ...(options.backend === 'sim'
      ? { sleepTimeoutMs: Math.max(1_500, 30_000 * timeScale), suspendedMs: Math.max(50, 5_000 * timeScale) }
      : {}),
    ...options.sleepWake,
  };
  // On the sim a late or lost registration plays out in scaled time: a bug that never registers
  // would otherwise hold every such iteration for the full minute.
  const registrationDeadlineMs =
    options.registrationDeadlineMs ??
    (options.backend === 'sim'
      ? Math.max(2_000, runDefaults.registrationDeadlineMs * timeScale)
      : runDefaults.registrationDeadlineMs);
  const backendOptions: TartBackendOptions =
    options.backend === 'sim'
      ? simBackendOptions({ quirks: options.quirks, seed: options.seed, ...options.sim })
      : { name: 'tart', tartBin: options.tartBin };
  const backend = new TartBackend(backendOptions);
  // Everything the run writes goes through it: the SSH password, registry credentials, named tokens.
  const redactor = Redactor.fromEnvironment({
    sshPassword: backendOptions.credentials?.password ?? tartBackendDefaults.credentials.password,
    tokenEnvNames: options.redactEnv ?? [],
  });
  let description: Awaited<ReturnType<typeof backend.describe>>;
  try {
    description = await backend.describe({ signal: options.signal, timeoutMs: 30_000 });
  } catch (error) {
    if (error instanceof HostCommandError) {
      throw new ConfigError(
        'backend',
        `The ${options.backend} backend's tart does not run (${error.message}). ${
          options.backend === 'tart' ? 'Install tart or set TART_BIN.' : 'Run `make setup` first.'
        }`,
      );
    }
    throw error;
  }
  const builds: BuildRecord[] = [];
  for (const [role, input] of Object.entries(options.scenario.inputs)) {
    const path = inputs[role];
    if (input.kind !== 'build' || !path) continue;
    builds.push(await describeBuild(role, path));
  }

  const runId = newRunId();
  const runDir = resolve(options.artifactsDir, runId);
  mkdirSync(join(runDir, 'iterations'), { recursive: true });
  const unregister = registerRun(runId);
  const manifest: RunManifestWithRepetition = {
    runId,
    harnessVersion,
    command: options.argv,
    backend: description.backend,
    tool: description.tool,
    toolVersion: description.toolVersion,
    host: { ...hostFacts(), ...(await macHostFacts()) },
    image: images[0]!,
    images,
    scenario: options.scenario.id,
    signature: {
      check: options.scenario.signature.check,
      ...(options.scenario.signature.message ? { message: options.scenario.signature.message.source } : {}),
      description: options.scenario.signature.description,
      evidence: options.scenario.signature.evidence,
    },
    iterations: plannedIterations(repetition) * images.length,
    repetition,
    sleepStrategy,
    builds,
    ...(options.backend === 'sim' ? { seed: options.seed, quirks: options.quirks } : {}),
    startedAt: new Date().toISOString(),
  };
  writeManifest(runDir, manifest, redactor);
  const consoleReporter = new ConsoleReporter({ write: options.write, wording });
  const junit = new JUnitReporter(runDir, {
    runId,
    backend: description.backend,
    ...(options.backend === 'sim'
      ? {
          seed: options.seed,
          quirks: Object.entries(options.quirks)
            .map(([k, v]) => `${k}=${v}`)
            .join(','),
        }
      : {}),
    builds: Object.fromEntries(builds.map((b) => [b.role, `${b.path} sha256:${b.sha256}`])),
    wording,
    sleepStrategy,
    redact: (text) => redactor.redact(text),
  });
  const results: IterationResult[] = [];
  const emit = (event: RunEvent) => {
    if (event.type === 'iteration-finished') results.push(event.result);
    consoleReporter.handle(event);
    junit.handle(event);
  };
  let exitCode = 3;
  let interrupted = false;
  try {
    emit({
      type: 'run-started',
      runId,
      runDir,
      scenario: options.scenario.id,
      image: images[0]!,
      images,
      iterations: plannedIterations(repetition) * images.length,
      repetition: describeRepetition(repetition),
      backend: description.backend,
      at: manifest.startedAt,
    });
    const run = await runScenario({
      scenario: options.scenario,
      backend,
      image: images[0]!,
      images,
      repeat: options.repeat,
      repetition,
      sleepWake,
      registrationDeadlineMs,
      runId,
      runDir,
      inputs,
      emit,
      signal: options.signal,
      hurry: options.hurry,
      keepVm: options.keepVm,
      activation: options.launchCommand ? { launchCommand: options.launchCommand } : {},
      onBuildInstalled: (role, build) => recordBundles(builds, role, build),
      evidence: options.evidence ?? 'on-failure',
      sysdiagnoseTimeoutMs: options.sysdiagnoseTimeoutMs,
      redactor,
    });
    interrupted = run.interrupted;
    if (run.guestOs) manifest.guest = run.guestOs;
    // After the first clone the image is cached, so its digest is known.
    manifest.imageDigest = await backend
      .imageDigest(images[0]!, { timeoutMs: 30_000 })
      .catch(() => undefined);
    exitCode = exitCodeFor(results, interrupted);
  } finally {
    interrupted ||= options.signal.aborted;
    // A run aborted by a crash (not by Ctrl-C) is an infrastructure error, not an interruption.
    if (interrupted) exitCode = options.signal.reason instanceof InterruptedError ? 130 : 3;
    manifest.finishedAt = new Date().toISOString();
    manifest.exitCode = exitCode;
    manifest.interrupted = interrupted;
    manifest.evidence = results
      .filter((r) => r.evidence)
      .map((r) => ({ iteration: r.iteration, files: r.evidence!.files, problems: r.evidence!.problems }));
    writeManifest(runDir, manifest, redactor);
    writeFileAtomic(
      join(runDir, 'summary.json'),
      redactor.redact(
        `${JSON.stringify({ runId, exitCode, interrupted, scenarios: summarize(results, wording) }, null, 2)}\n`,
      ),
    );
    // report.html reads junit.xml, which is rewritten at most once a second while iterations finish.
    junit.flush();
    try {
      writeHtmlReport(runDir);
    } catch (error) {
      emit({ type: 'notice', message: `report.html was not written: ${(error as Error).message}` });
    }
    emit({ type: 'run-finished', at: manifest.finishedAt, exitCode, interrupted });
    unregister();
  }
  return { exitCode, runDir, results };
}

function recordBundles(builds: BuildRecord[], role: string, build: InstalledBuild): void {
  const record = builds.find((b) => b.role === role);
  if (!record || record.bundles) return;
  if (build.signing) record.signing = build.signing;
  record.bundles = [
    {
      kind: 'app',
      bundleId: build.app.bundleId,
      shortVersion: build.app.shortVersion,
      bundleVersion: build.app.bundleVersion,
    },
    ...build.extensions.map((e) => ({
      kind: 'extension' as const,
      bundleId: e.bundleId,
      shortVersion: e.shortVersion,
      bundleVersion: e.bundleVersion,
    })),
  ];
}

/** On the sim, build inputs not given default to the scenario's sample build (sim/builds/out). */
function withSimSamples(scenario: Scenario, given: Record<string, string>): Record<string, string> {
  const inputs = { ...given };
  const dir = dirname(simSampleBuilds().from);
  for (const [name, input] of Object.entries(scenario.inputs)) {
    if (inputs[name] || input.kind !== 'build' || !input.simSample) continue;
    const path = join(dir, input.simSample);
    if (!existsSync(path)) {
      throw new ConfigError(
        `--${name}`,
        `The sample builds are missing (${input.simSample}): run \`make setup\` (or pass --${name})`,
      );
    }
    inputs[name] = path;
  }
  return inputs;
}

/** Inputs the user left out take the scenario's default, as text (`t.inputs` holds strings). */
function withInputDefaults(scenario: Scenario, given: Record<string, string>): Record<string, string> {
  const inputs = { ...given };
  for (const [name, input] of Object.entries(scenario.inputs)) {
    if (input.kind === 'build' || input.default === undefined || inputs[name] !== undefined) continue;
    inputs[name] = String(input.default);
  }
  return inputs;
}

function validate(options: RunOptions): void {
  if (!Number.isInteger(options.repeat) || options.repeat < 1) {
    throw new ConfigError('--repeat', `--repeat must be a whole number >= 1, got ${options.repeat}`);
  }
  const repetition = options.repetition;
  if (
    repetition &&
    repetition.mode !== 'repeat' &&
    !(Number.isInteger(repetition.max) && repetition.max >= 1)
  ) {
    throw new ConfigError('--max', `--max must be a whole number >= 1, got ${repetition.max}`);
  }
  if (repetition?.mode === 'until-confident' && !(repetition.threshold > 0 && repetition.threshold < 1)) {
    throw new ConfigError(
      '--threshold',
      `--threshold must be between 0 and 1 (exclusive), got ${repetition.threshold}`,
    );
  }
  if (
    options.sleepStrategy !== undefined &&
    options.sleepStrategy !== 'guest' &&
    options.sleepStrategy !== 'suspend'
  ) {
    throw new ConfigError(
      '--sleep-strategy',
      `--sleep-strategy must be guest or suspend, got "${options.sleepStrategy}"`,
    );
  }
  const unobservable = unobservableReason(
    options.scenario.signature,
    options.sleepStrategy ?? runDefaults.sleepStrategy,
  );
  if (unobservable && repetition && repetition.mode !== 'repeat') {
    throw new ConfigError(
      '--sleep-strategy',
      `--${repetition.mode} stops on the rate of "${options.scenario.signature.description}", but ${unobservable}; use --repeat N with this strategy, or --sleep-strategy ${options.scenario.signature.sleepStrategies?.join('|')}`,
    );
  }
  const images = options.images && options.images.length > 0 ? options.images : [options.image];
  for (const image of images) {
    const problem = imageNameProblem(image);
    if (problem) {
      throw new ConfigError(
        '--image',
        `Invalid --image "${image}": ${problem}. Pass an OCI reference such as ${runDefaults.image} or the name of a local VM (\`tart list\`)`,
      );
    }
  }
  const deadline = options.registrationDeadlineMs;
  if (deadline !== undefined && !(Number.isFinite(deadline) && deadline >= 0)) {
    throw new ConfigError(
      'registrationDeadlineMs',
      `registrationDeadlineMs must be a number of ms >= 0, got ${deadline}`,
    );
  }
  if (options.backend !== 'sim' && Object.keys(options.quirks).length > 0) {
    throw new ConfigError(
      '--quirk',
      `--quirk works only with --backend sim: quirks are the simulated Mac's fault models`,
    );
  }
}
