// `sysext-lab run` as wiring: resolves the options and the backend's profile, sets up the run
// directory and the reporters, runs the scenario, and always ends the run with run-finished, from
// which the reporters leave junit.xml, run.json, summary.json, results.json and report.html behind.
import { setMaxListeners } from 'node:events';
import { join, resolve } from 'node:path';
import { InterruptedError } from './errors.ts';
import type { InstalledBuild } from './macos/install-build.ts';
import type { SleepStrategy } from './macos/sleep-wake.ts';
import { finishDeadRuns } from './reap.ts';
import { makeArtifactsDir } from './report/artifacts-dir.ts';
import { ConsoleReporter } from './report/console-reporter.ts';
import { describeBuild } from './report/describe-build.ts';
import { HtmlReporter } from './report/html-report.ts';
import { JUnitReporter } from './report/junit-reporter.ts';
import { Redactor } from './report/redact.ts';
import { redactingReporter } from './report/redact-events.ts';
import { holdReportReserve, releaseReportReserve } from './report/report-reserve.ts';
import { fanOut, type Reporter } from './report/reporter.ts';
import { ResultsReporter } from './report/results-reporter.ts';
import { ManifestReporter, type RunManifest } from './report/run-manifest.ts';
import { exitCodeFor, type SummaryWording } from './report/run-summary.ts';
import { SummaryReporter } from './report/summary-reporter.ts';
import { imagesOf, type RunRequest, resolveRunOptions } from './run-options.ts';
import { newRunId, registerRun, runRegistryDir } from './run-registry.ts';
import { type Scenario, unobservableReason } from './scenario/define-scenario.ts';
import type { BuildRecord, EmitEvent, IterationResult } from './scenario/events.ts';
import { runScenario } from './scenario/runner.ts';
import { ownsIteration } from './scenario/shard.ts';
import { validateScenarioInputs } from './scenario/validate-inputs.ts';
import { describeRepetition, plannedIterations, type Repetition } from './stats/repetition.ts';
import { harnessVersion } from './version.ts';

export { type RunOptions, type RunRequest, runDefaults } from './run-options.ts';

export interface RunOutcome {
  exitCode: number;
  runDir: string;
  results: IterationResult[];
}

export async function runCommand(request: RunRequest): Promise<RunOutcome> {
  const { options, profile } = resolveRunOptions(request);
  const { scenario, signal } = options;
  // Every wait of every iteration in flight listens to the run's signal: dozens at once are expected,
  // not the leak Node warns of past ten.
  setMaxListeners(256, signal);
  const given = profile.withDefaultInputs(scenario.inputs, options.inputs);
  // Before anything touches the backend: a bad input is a usage error, and no VM is cloned for it.
  await validateScenarioInputs(scenario, given);
  // Before the backend too: a folder that cannot be made is a usage error, said in one line.
  const artifactsDir = makeArtifactsDir(options.artifactsDir);
  const inputs = withInputDefaults(scenario, given);
  const images = imagesOf(options);
  const repetition: Repetition = options.repetition ?? { mode: 'repeat', count: options.repeat };
  const wording = wordingOf(scenario, repetition, options.sleepStrategy);
  // Everything the run writes goes through it: the backend's secrets, registry credentials, named tokens.
  const redactor = Redactor.fromEnvironment({ secrets: profile.secrets, tokenEnvNames: options.redactEnv });
  const redact = (text: string) => redactor.redact(text);
  const description = await profile.describe({ signal, timeoutMs: 30_000 });
  const builds: BuildRecord[] = [];
  for (const [role, input] of Object.entries(scenario.inputs)) {
    const path = inputs[role];
    if (input.kind !== 'build' || !path) continue;
    builds.push(await describeBuild(role, path));
  }

  const runId = newRunId();
  const runDir = resolve(artifactsDir, runId);
  makeArtifactsDir(join(runDir, 'iterations'));
  holdReportReserve(runDir);
  const unregister = registerRun(runId, { runDir });
  const startedAt = new Date().toISOString();
  const planned = plannedIterations(repetition) * images.length;
  // A shard runs its part of the whole run's iterations, numbered as in the whole run.
  const iterations = Array.from({ length: planned }, (_, k) => k + 1).filter((n) =>
    ownsIteration(options.shard, n),
  ).length;
  // Not given: as many as the backend can run now (a host already running a VM has one slot left).
  const parallel =
    options.parallel ?? Math.max(1, await profile.freeSlots({ signal, timeoutMs: 30_000 }).catch(() => 1));
  const manifest: RunManifest = {
    runId,
    harnessVersion,
    command: [...options.argv],
    backend: description.backend,
    tool: description.tool,
    toolVersion: description.toolVersion,
    host: description.host,
    image: images[0]!,
    images,
    scenario: scenario.id,
    signature: {
      check: scenario.signature.check,
      ...(scenario.signature.message ? { message: scenario.signature.message.source } : {}),
      description: scenario.signature.description,
      evidence: scenario.signature.evidence,
    },
    iterations,
    repetition,
    parallel,
    ...(options.shard ? { shard: options.shard, rateWording: wording(scenario.id) } : {}),
    sleepStrategy: options.sleepStrategy,
    builds,
    ...profile.record,
    startedAt,
  };
  const results: IterationResult[] = [];
  const collector: Reporter = {
    handle: (event) => {
      if (event.type === 'iteration-finished') results.push(event.result);
    },
  };
  // Reports that could not be written, once per file and reason: said on the console (and stderr).
  const writeFailures = new Set<string>();
  // Set once a report met a full disk: no more iterations start, whose results could not be kept.
  let artifactsFull: string | undefined;
  const onWriteError = (error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC')
      artifactsFull ??= `the artifacts filesystem is full (${runDir}); the iterations that ran are kept`;
    const message = `Could not write a report in ${runDir}: ${(error as Error).message}`;
    if (writeFailures.has(message)) return;
    writeFailures.add(message);
    process.stderr.write(`sysext-lab: ${redactor.redact(message)}\n`);
  };
  // Secrets are masked in the events, before any reporter encodes them (XML, JSON, HTML, the console).
  const reporters = redactingReporter(redactor, {
    handle: fanOut(
      [
        collector,
        // Files first, report.html after the run.json and results.json it is made from, the console last.
        new ManifestReporter(runDir, manifest, { redact }),
        new ResultsReporter(runDir, { wording, redact, shard: options.shard }),
        new SummaryReporter(runDir, { wording, redact, shard: options.shard }),
        new JUnitReporter(runDir, {
          runId,
          backend: description.backend,
          backendProperties: profile.properties,
          builds: Object.fromEntries(builds.map((b) => [b.role, `${b.path} sha256:${b.sha256}`])),
          wording,
          sleepStrategy: options.sleepStrategy,
          redact,
        }),
        new HtmlReporter(runDir, (message) => emit({ type: 'notice', message })),
        new ConsoleReporter({ write: options.write, wording, keepVm: options.keepVm }),
      ],
      onWriteError,
    ),
  });
  const emit: EmitEvent = (event) => reporters.handle(event);
  const inspected = new Set<string>();
  let exitCode = 3;
  let interrupted = false;
  try {
    emit({
      type: 'run-started',
      runId,
      runDir,
      scenario: scenario.id,
      image: images[0]!,
      images,
      iterations,
      repetition: describeRepetition(repetition),
      backend: description.backend,
      at: startedAt,
    });
    for (const message of unmaskedSecrets(redactor, options.redactEnv)) emit({ type: 'notice', message });
    // A run killed earlier (kill -9) leaves files that still say "not finished": finish them now.
    const dead = finishDeadRuns(runRegistryDir(), false);
    for (const finished of dead.finished)
      emit({
        type: 'notice',
        message: `finished the files of a run that was killed: ${finished} (interrupted)`,
      });
    for (const problem of dead.problems) emit({ type: 'notice', message: problem });
    if (options.pull) {
      for (const image of images) {
        emit({ type: 'notice', message: `pulling ${image} (--pull)` });
        await profile.vms.pull(image, { signal });
      }
    }
    const run = await runScenario({
      scenario,
      backend: profile.vms,
      image: images[0]!,
      images,
      repeat: options.repeat,
      repetition,
      parallel,
      shard: options.shard,
      sleepWake: { ...options.sleepWake, strategy: options.sleepStrategy },
      registrationDeadlineMs: options.registrationDeadlineMs,
      runId,
      runDir,
      inputs,
      emit,
      signal,
      hurry: options.hurry,
      keepVm: options.keepVm,
      activation: { launchCommand: options.launchCommand, approval: options.approval },
      onBuildInstalled: (role, build) => {
        const record = builds.find((b) => b.role === role);
        if (!record || inspected.has(role)) return;
        inspected.add(role);
        emit({ type: 'build-inspected', build: inspectedBuild(record, build) });
      },
      evidence: options.evidence,
      stopLaunching: () => artifactsFull,
      sysdiagnoseTimeoutMs: options.sysdiagnoseTimeoutMs,
      redactor,
    });
    interrupted = run.interrupted;
    if (run.guestOs) emit({ type: 'guest-identified', guest: run.guestOs });
    // After the first clone the image is cached, so its digest is known.
    const digest = await profile.vms.imageDigest(images[0]!, { timeoutMs: 30_000 }).catch(() => undefined);
    if (digest) emit({ type: 'image-resolved', image: images[0]!, digest });
    exitCode = exitCodeFor(results, interrupted);
  } finally {
    interrupted ||= signal.aborted;
    // A run aborted by a crash (not by Ctrl-C) is an infrastructure error, not an interruption.
    if (interrupted) exitCode = signal.reason instanceof InterruptedError ? 130 : 3;
    // A report that could not be written (a full disk) makes the run an infrastructure error.
    if (writeFailures.size > 0 && exitCode !== 130) exitCode = 3;
    // Every VM is gone and nothing else writes now: the reserve's space goes to the final reports.
    releaseReportReserve(runDir);
    emit({ type: 'run-finished', at: new Date().toISOString(), exitCode, interrupted });
    unregister({ keptVms: options.keepVm });
  }
  return { exitCode, runDir, results };
}

function wordingOf(
  scenario: Scenario,
  repetition: Repetition,
  sleepStrategy: SleepStrategy,
): (id: string) => SummaryWording {
  const unobservable = unobservableReason(scenario.signature, sleepStrategy);
  return () => ({
    unit: scenario.unit ?? 'iterations',
    bug: scenario.signature.description,
    ...(repetition.mode === 'until-confident' ? { threshold: repetition.threshold } : {}),
    ...(unobservable ? { unobservable } : {}),
  });
}

/** The build as installed: its Info.plists' bundles and how it is signed, for run.json. */
function inspectedBuild(record: BuildRecord, build: InstalledBuild): BuildRecord {
  return {
    ...record,
    ...(build.signing ? { signing: build.signing } : {}),
    bundles: [
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
    ],
  };
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

/** Why a secret the user named is not masked: the variable is unset, or its value too short to mask. */
function unmaskedSecrets(redactor: Redactor, names: readonly string[], env = process.env): string[] {
  const messages: string[] = [];
  for (const name of names) {
    if (!env[name])
      messages.push(`--redact-env ${name}: the variable is not set (or empty); nothing is masked for it`);
  }
  for (const { name, reason } of redactor.ignored) {
    if (names.includes(name)) messages.push(`--redact-env ${name}: not masked, its value is ${reason}`);
  }
  return messages;
}
