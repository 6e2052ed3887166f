// The CLI is thin: parse flags, call the library, set process.exitCode. Exit codes: 0 all passed,
// 1 a check failed, 2 usage or config error, 3 infrastructure errors only, 130 interrupted.
import { parseArgs } from 'node:util';
import { scenarios } from '../scenarios/index.ts';
import { backendSummaries } from './backends/registry.ts';
import { bisectCli, bisectUsage } from './commands/bisect-command.ts';
import {
  compareCli,
  compareToRepetition,
  compareUsage,
  comparisonAfterRun,
} from './commands/compare-command.ts';
import { DOCTOR_USAGE, doctorCli } from './commands/doctor-command.ts';
import { feedbackCli } from './commands/feedback-command.ts';
import { historyCli, historyUsage } from './commands/history-command.ts';
import { initCli } from './commands/init-command.ts';
import { listCli } from './commands/list-command.ts';
import { mergeCli, mergeUsage } from './commands/merge-command.ts';
import { parseCli } from './commands/parse-command.ts';
import { reapCli } from './commands/reap-command.ts';
import { simCli } from './commands/sim-command.ts';
import {
  flagsWithProjectConfig,
  projectBuildInputs,
  projectConfigArgs,
} from './config/apply-project-config.ts';
import { loadProjectConfig } from './config/load-project-config.ts';
import { ConfigError, InterruptedError } from './errors.ts';
import type { EvidenceMode } from './evidence/iteration-evidence.ts';
import type { ApprovalStrategyName } from './macos/approve-extension.ts';
import type { SleepStrategy } from './macos/sleep-wake.ts';
import { ParseError } from './parse/parse-error.ts';
import { UnknownInputKindError } from './parse/parse-stream.ts';
import { UnknownParseKindError } from './parse/registry.ts';
import { exitCodes } from './report/run-summary.ts';
import { runCommand, runDefaults } from './run-command.ts';
import type { Scenario } from './scenario/define-scenario.ts';
import { loadScenario } from './scenario/load-scenario.ts';
import { parseShard } from './scenario/shard.ts';
import { describeInputKind, inputFlag } from './scenario/validate-inputs.ts';
import { type Repetition, repetitionDefaults } from './stats/repetition.ts';

const backends = backendSummaries();
const backendChoice = backends.map((b) => b.kind).join('|');

const USAGE = `Usage: sysext-lab <command> [options]

Commands:
  run <scenario>   Run a scenario (a built-in or project id, or a file: ./scenarios/x.ts) on fresh VMs
                   and write junit.xml, run.json, summary.json
  list             List the built-in scenarios and the project's own (./scenarios/)
  show <scenario>  A scenario's inputs, failure signature and the positive evidence a failure needs
  reap             Delete the VMs (sxl-*) left behind by runs that died
  sim orchard [--workers N] [--port P]  A simulated Orchard controller for --backend orchard (sim --help)
  init [--force] [DIR]  Write sysext-lab.config.json, an example scenario, an npm script and CI files
                   (GitHub Actions, GitLab, Jenkins) into a project (init --help)
  parse [<kind>] [FILE]  Parse macOS command output (stdin when no FILE) and print JSON (parse --help)
  doctor           Check every precondition of a run on the host and in one VM of the image
                   (ok/warn/fail with the fix; exit 1 when a check fails)
  feedback <run-dir> [--iteration N] [--out FILE]
                   Zip report.md and a failing iteration's evidence for Feedback Assistant
  ${compareUsage}
  ${bisectUsage}
  ${historyUsage}
  ${mergeUsage}

run options:
  --backend ${backendChoice.padEnd(11)}${backends.map((b) => `${b.kind}: ${b.summary}${b.kind === runDefaults.backend ? ' (default)' : ''}`).join('; ')}
  --image NAME[,NAME]  Image(s) to clone per iteration; several run as a matrix with rates per image
                       (default ${runDefaults.image})
  --repeat N           Iterations per image (default 1)
  --until-fail         Repeat until the target bug fails once (cap: --max)
  --until-confident    Repeat until the 95% evidence decides: the bug reproduced, or its rate below
                       --threshold by an exact one-sided bound (cap: --max)
  --threshold P        Rate a fix must stay below, for --until-confident (default ${repetitionDefaults.threshold})
  --max N              Cap for --until-fail / --until-confident / --compare-to (default ${repetitionDefaults.max})
  --compare-to RUN_A   Repeat until this run's rate is shown to differ from the finished RUN_A's (a
                       sequential test that keeps 5% false positives however early it stops; cap: --max),
                       then print the comparison as sysext-lab compare does
  --parallel N         Iterations on N VMs at once, output kept in iteration order (default: the
                       backend's free slots; tart and sim: 2 per host minus the VMs already running)
  --shard K/N          Run only CI shard K's iterations of N shards (every Nth, numbered as in the
                       whole run); join the shards' run directories with sysext-lab merge
  --sleep-strategy S   guest (pmset sleepnow in the guest; calls the providers' sleep()/wake()) or
                       suspend (tart suspend + resume on the host; does not) (default guest)
  --from PATH          Build installed first (.pkg, .zip or .app); sim default: the scenario's sample
  --to PATH            Upgrade build; sim default: the scenario's sample
  --input NAME=VALUE   Any other scenario input (repeatable), e.g. --input deadline-ms=20000; each is
                       checked against its declared kind (sysext-lab show <scenario>) before any VM
  --reboot-probe       upgrade-xpc: after a failure, reboot and check again
  --seed N             Seed of the sim's quirks (default: random, printed in run.json)
  --quirk NAME=P       Sim fault model with probability P (repeatable), e.g. xpc-endpoint-lost-on-upgrade=0.2
  --artifacts DIR      Where run directories go (default artifacts)
  --config FILE        Project defaults for --image, --backend, --from/--to (builds), --approval,
                       --redact-env and --artifacts (default ./sysext-lab.config.json when present;
                       a flag given wins)
  --keep-vm            Leave each iteration's VM behind for inspection
  --pull               tart pull each image first (a cached :latest is never refreshed by clone)
  --launch-command CMD Command that launches the app, the app path appended (default "open -a")
  --approval S         How a waiting extension is approved: auto (ui, then database; default), ui
                       (System Settings), database (SIP off; labelled "approval bypassed") or preapproved
  --evidence WHEN      on-failure (default), always or never: sysdiagnose, log slice, pmset log,
                       install.log and state, collected before teardown into iterations/<n>/evidence
  --sysdiagnose-timeout S  How long sysdiagnose may take (default 900)
  --registration-deadline S  How long launchd may take to register a job or endpoint, or an old
                       extension to terminate, before that counts (default 60; sim: scaled)
  --redact-env NAME    Environment variable holding a token to mask in everything written (repeatable);
                       the SSH password and TART_REGISTRY_USERNAME/PASSWORD are always masked

reap options: --backend ${backendChoice}, --all (also VMs of runs still alive)
${DOCTOR_USAGE}
Exit codes: 0 passed, 1 a check failed, 2 usage or config error, 3 infrastructure errors only, 130 interrupted.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await runCli(rest, argv);
      case 'list':
        return await listCli(rest);
      case 'show':
        return await showCli(rest);
      case 'reap':
        return await reapCli(rest);
      case 'feedback':
        return await feedbackCli(rest);
      case 'parse':
        return await parseCli(rest);
      case 'doctor':
        return await doctorCli(rest);
      case 'compare':
        return await compareCli(rest);
      case 'bisect':
        return await bisectCli(rest);
      case 'merge':
        return await mergeCli(rest);
      case 'history':
        return await historyCli(rest);
      case 'init':
        return await initCli(rest);
      case 'sim':
        return await simCli(rest);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? exitCodes.usage : 0;
      default:
        throw new ConfigError(
          'command',
          `Unknown command "${command}": expected run, list, show, init, reap, feedback, parse, compare, bisect, merge, history, sim or doctor (see --help)`,
        );
    }
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof ParseError ||
      error instanceof UnknownParseKindError ||
      error instanceof UnknownInputKindError ||
      isArgError(error)
    ) {
      process.stderr.write(`sysext-lab: ${(error as Error).message}\n`);
      return exitCodes.usage;
    }
    // One line for the user; the stack only when asked for (a bug report).
    const text =
      process.env.SXL_DEBUG === '1'
        ? ((error as Error).stack ?? String(error))
        : `${(error as Error).name ?? 'Error'}: ${(error as Error).message ?? String(error)} (SXL_DEBUG=1 shows the stack)`;
    process.stderr.write(`sysext-lab: ${text}\n`);
    return exitCodes.infrastructure;
  }
}

async function runCli(args: string[], argv: string[]): Promise<number> {
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
    process.stdout.write(USAGE);
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
          max,
          images,
          otherMode: repetition ? `--${repetition.mode}` : undefined,
          artifactsDir: values.artifacts,
        });
  // The backend's own settings: its profile refuses those it does not take (quirks on a real Mac).
  const backendSettings = {
    ...(values.seed === undefined
      ? {}
      : { seed: wholeNumber('--seed', values.seed, 0, Number.MAX_SAFE_INTEGER) }),
    ...(values.quirk.length === 0 ? {} : { quirks: Object.fromEntries(values.quirk.map(parseQuirk)) }),
  };

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
  }
}

async function showCli(args: string[]): Promise<number> {
  const [id, ...extra] = args;
  const scenario = id === undefined || extra.length > 0 ? undefined : await loadScenario(id);
  if (!scenario) {
    throw new ConfigError(
      'scenario',
      `show takes one scenario, got ${id === undefined ? 'none' : `"${args.join(' ')}"`}: expected one of ${scenarios.map((s) => s.id).join(', ')}`,
    );
  }
  process.stdout.write(describeScenario(scenario));
  return 0;
}

function describeScenario(scenario: Scenario): string {
  const { signature } = scenario;
  const lines = [
    `${scenario.id}: ${scenario.title}`,
    `Models: ${scenario.report}`,
    `Signature: check ${signature.check} fails${signature.message ? ` with a message matching ${signature.message}` : ''} (${signature.description})`,
    `Positive evidence: ${signature.evidence}`,
    'Inputs:',
  ];
  for (const [name, input] of Object.entries(scenario.inputs)) {
    const facts = [
      describeInputKind(input),
      input.kind === 'build' && input.required ? 'required' : '',
      input.kind !== 'build' && input.default !== undefined ? `default ${input.default}` : '',
      input.kind === 'build' && input.simSample ? `sim default: ${input.simSample}` : '',
    ].filter(Boolean);
    lines.push(`  ${inputFlag(name)}: ${input.description} (${facts.join('; ')})`);
  }
  return `${lines.join('\n')}\n`;
}

const WHOLE_NUMBER_MAX = 1_000_000;

function wholeNumber(flag: string, text: string, min: number, max: number = WHOLE_NUMBER_MAX): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min)
    throw new ConfigError(flag, `${flag} must be a whole number >= ${min}, got "${text}"`);
  // A count beyond a million iterations (or seconds) is a typo, and beyond 2^53 not even exact.
  if (value > max) throw new ConfigError(flag, `${flag} must be at most ${max}, got "${text}"`);
  return value;
}

function parseQuirk(text: string): [string, number] {
  const match = /^([a-z0-9-]+)=(\d+(?:\.\d+)?)$/.exec(text);
  const p = Number(match?.[2]);
  if (!match || !(p >= 0 && p <= 1)) {
    throw new ConfigError(
      '--quirk',
      `--quirk expects NAME=P with P between 0 and 1, e.g. xpc-endpoint-lost-on-upgrade=0.2; got "${text}"`,
    );
  }
  return [match[1]!, p];
}

function isArgError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    String((error as { code?: string }).code).startsWith('ERR_PARSE_ARGS')
  );
}
