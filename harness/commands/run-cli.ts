// `sysext-lab run`: its flags parsed and checked, then the library called. cli.ts loads this module
// only when a run is asked for, so that --help and the light commands start without the runner and
// everything it reaches.
import { parseArgs } from 'node:util';
import { scenarios } from '../../scenarios/index.ts';
import {
  flagsWithProjectConfig,
  projectBuildInputs,
  projectConfigArgs,
} from '../config/apply-project-config.ts';
import { loadProjectConfig } from '../config/load-project-config.ts';
import { ConfigError, InterruptedError } from '../errors.ts';
import type { EvidenceMode } from '../evidence/iteration-evidence.ts';
import type { ApprovalStrategyName } from '../macos/approve-extension.ts';
import type { SleepStrategy } from '../macos/sleep-wake.ts';
import { runCommand } from '../run-command.ts';
import { runDefaults } from '../run-options.ts';
import { loadScenario } from '../scenario/load-scenario.ts';
import { parseShard } from '../scenario/shard.ts';
import { type Repetition, repetitionDefaults } from '../stats/repetition.ts';
import { compareToRepetition, comparisonAfterRun } from './compare-command.ts';
import { backendSettingFlags, wholeNumber } from './flag-values.ts';
import { absorbLateSignals } from './late-signals.ts';

/** `run`: `usage` is what `run --help` prints (the CLI's whole usage). */
export async function runCli(args: string[], argv: string[], usage: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      backend: { type: 'string' },
      image: { type: 'string' },
      repeat: { type: 'string', default: String(runDefaults.repeat) },
      from: { type: 'string' },
      to: { type: 'string' },
      seed: { type: 'string' },
      quirk: { type: 'string', multiple: true, default: [] },
      // No default here: sysext-lab.config.json's artifactsDir fills it, then runDefaults.
      artifacts: { type: 'string' },
      config: { type: 'string' },
      'keep-vm': { type: 'boolean', default: false },
      pull: { type: 'boolean', default: false },
      'launch-command': { type: 'string' },
      approval: { type: 'string' },
      'until-fail': { type: 'boolean', default: false },
      'until-confident': { type: 'boolean', default: false },
      'compare-to': { type: 'string' },
      parallel: { type: 'string' },
      shard: { type: 'string' },
      threshold: { type: 'string' },
      max: { type: 'string' },
      'sleep-strategy': { type: 'string', default: runDefaults.sleepStrategy },
      input: { type: 'string', multiple: true, default: [] },
      'reboot-probe': { type: 'boolean', default: false },
      evidence: { type: 'string', default: runDefaults.evidence },
      'sysdiagnose-timeout': { type: 'string' },
      'registration-deadline': { type: 'string' },
      'redact-env': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  // The project's sysext-lab.config.json (or --config FILE) under the flags: a flag given wins.
  const project = loadProjectConfig({ file: values.config });
  const flagsGiven = { ...values, 'redact-env': [...values['redact-env']] };
  Object.assign(values, flagsWithProjectConfig(values, project));
  const sysdiagnoseTimeout =
    values['sysdiagnose-timeout'] === undefined
      ? undefined
      : wholeNumber('--sysdiagnose-timeout', values['sysdiagnose-timeout'], 1);
  const registrationDeadline =
    values['registration-deadline'] === undefined
      ? undefined
      : wholeNumber('--registration-deadline', values['registration-deadline'], 0);
  const id = positionals[0];
  if (!id || positionals.length > 1) {
    throw new ConfigError(
      'scenario',
      `run takes one scenario, got ${positionals.length}: expected one of ${scenarios.map((s) => s.id).join(', ')}`,
    );
  }
  const scenario = await loadScenario(id);
  const inputs: Record<string, string> = {};
  for (const entry of values.input) {
    const at = entry.indexOf('=');
    if (at < 1) throw new ConfigError('--input', `--input expects NAME=VALUE, got "${entry}"`);
    inputs[entry.slice(0, at)] = entry.slice(at + 1);
  }
  if (values.from) inputs.from = values.from;
  if (values.to) inputs.to = values.to;
  const configBuilds = await projectBuildInputs(scenario, inputs, project);
  Object.assign(inputs, configBuilds);
  if (values['reboot-probe']) {
    if (!Object.hasOwn(scenario.inputs, 'reboot-probe')) {
      throw new ConfigError(
        '--reboot-probe',
        `--reboot-probe works only with upgrade-xpc, not ${scenario.id}`,
      );
    }
    inputs['reboot-probe'] = 'true';
  }
  const repeat = wholeNumber('--repeat', values.repeat, 1);
  if (values['until-fail'] && values['until-confident']) {
    throw new ConfigError(
      '--until-fail',
      '--until-fail and --until-confident exclude each other: choose one',
    );
  }
  const max = values.max === undefined ? repetitionDefaults.max : wholeNumber('--max', values.max, 1);
  let threshold: number = repetitionDefaults.threshold;
  if (values.threshold !== undefined) {
    threshold = Number(values.threshold);
    if (!/^\d*\.?\d+$/.test(values.threshold) || !(threshold > 0 && threshold < 1)) {
      throw new ConfigError(
        '--threshold',
        `--threshold must be a number between 0 and 1, got "${values.threshold}"`,
      );
    }
  }
  const repetition: Repetition | undefined = values['until-fail']
    ? { mode: 'until-fail', max }
    : values['until-confident']
      ? { mode: 'until-confident', max, threshold }
      : undefined;
  const images = values.image
    ?.split(',')
    .map((image) => image.trim())
    .filter(Boolean);
  if (images?.length === 0)
    throw new ConfigError('--image', `--image needs at least one image name, got "${values.image}"`);
  const compareTo =
    values['compare-to'] === undefined
      ? undefined
      : compareToRepetition(values['compare-to'], {
          scenario: scenario.id,
          signature: scenario.signature,
          max,
          images,
          otherMode: repetition ? `--${repetition.mode}` : undefined,
          artifactsDir: values.artifacts,
        });
  // The backend's own settings: its profile refuses those it does not take (quirks on a real Mac).
  const backendSettings = backendSettingFlags(values);

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write(
        `\n${signal}: stopping after cleanup (press Ctrl-C again to skip evidence collection and a kept VM's clean shutdown)\n`,
      );
      controller.abort(new InterruptedError(signal));
    } else {
      process.stderr.write(`\n${signal} again: hard-stopping and deleting the VMs\n`);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A bug that escapes (an error event nobody listens to) must not leave VMs running: abort the run,
  // whose cleanup then shuts down and deletes the VM in flight and writes the reports.
  const onCrash = (error: unknown) => {
    process.stderr.write(
      `sysext-lab: unexpected error, cleaning up: ${(error as Error)?.stack ?? String(error)}\n`,
    );
    controller.abort(error instanceof Error ? error : new Error(String(error)));
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  try {
    const outcome = await runCommand({
      scenario,
      backend: values.backend,
      backendSettings,
      ...(images ? { image: images[0]!, images } : {}),
      repeat,
      repetition: compareTo ?? repetition,
      parallel: values.parallel === undefined ? undefined : wholeNumber('--parallel', values.parallel, 1),
      shard: values.shard === undefined ? undefined : parseShard(values.shard),
      // Checked with the other options, by one validator.
      sleepStrategy: values['sleep-strategy'] as SleepStrategy,
      inputs,
      artifactsDir: values.artifacts,
      keepVm: values['keep-vm'],
      pull: values.pull,
      evidence: values.evidence as EvidenceMode,
      sysdiagnoseTimeoutMs: sysdiagnoseTimeout === undefined ? undefined : sysdiagnoseTimeout * 1000,
      registrationDeadlineMs: registrationDeadline === undefined ? undefined : registrationDeadline * 1000,
      redactEnv: values['redact-env'],
      launchCommand: values['launch-command']?.split(' ').filter(Boolean),
      approval: values.approval as ApprovalStrategyName | undefined,
      // The config's values as flags too: run.json's repro command then needs no config file.
      argv: ['sysext-lab', ...argv, ...projectConfigArgs(flagsGiven, project, configBuilds)],
      signal: controller.signal,
      hurry: () => interrupts > 1,
    });
    if (values['compare-to'] !== undefined) {
      comparisonAfterRun(values['compare-to'], outcome.runDir, (text) => process.stdout.write(text));
    }
    return outcome.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    absorbLateSignals();
  }
}
