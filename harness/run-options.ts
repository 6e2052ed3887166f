// The options of `sysext-lab run`: one bag, its defaults in one object, one validator. The backend's
// profile sets the defaults that depend on where VMs run; what the caller gives wins over both.
import type { BackendProfile, BackendSettings } from './backends/backend-profile.ts';
import { createBackend } from './backends/registry.ts';
import { ConfigError } from './errors.ts';
import { type EvidenceMode, evidenceModes } from './evidence/iteration-evidence.ts';
import { sysdiagnoseDefaults } from './evidence/sysdiagnose.ts';
import { activationDefaults } from './macos/activation.ts';
import {
  APPROVAL_STRATEGIES,
  type ApprovalStrategyName,
  approvalDefaults,
} from './macos/approve-extension.ts';
import { type SleepStrategy, type SleepWakeOptions, sleepWakeDefaults } from './macos/sleep-wake.ts';
import { type Scenario, unobservableReason } from './scenario/define-scenario.ts';
import { describeShard, type Shard } from './scenario/shard.ts';
import type { Repetition } from './stats/repetition.ts';

export interface RunOptions {
  scenario: Scenario;
  /** A registered backend (`sysext-lab --help` lists them). @default 'sim' */
  backend: string;
  /**
   * The backend's own settings, validated by its profile, e.g. the sim's `seed`, `quirks`,
   * `timeScale`, `tartHome`, or tart's `tartBin`. @default {}
   */
  backendSettings: BackendSettings;
  /** Image to clone per iteration. @default 'ghcr.io/cirruslabs/macos-sequoia-base:latest' */
  image: string;
  /** The image matrix (--image a,b,c); rates are per image. Empty: `[image]`. @default [] */
  images: readonly string[];
  /** Iterations per image when `repetition` is not given. @default 1 */
  repeat: number;
  /** --until-fail / --until-confident with --max and --threshold; overrides `repeat`. @default undefined */
  repetition: Repetition | undefined;
  /** How scenarios sleep and wake the guest (--sleep-strategy). @default 'guest' */
  sleepStrategy: SleepStrategy;
  /** Fine-tuning of sleep/wake timing (tests, slow hosts). @default {} (the backend may scale it) */
  sleepWake: Omit<SleepWakeOptions, 'strategy'>;
  /** Scenario inputs (--from, --to, --input NAME=VALUE). @default {} */
  inputs: Readonly<Record<string, string>>;
  /** Where run directories go. @default 'artifacts' */
  artifactsDir: string;
  /** Leave each iteration's VM behind. @default false */
  keepVm: boolean;
  /**
   * `tart pull` every image before the first iteration (--pull): `tart clone` of a cached tag never
   * pulls again, so a `:latest` cached months ago would run instead. @default false
   */
  pull: boolean;
  /** Command that launches the app to request activation, the app's path appended. @default ['open', '-a'] */
  launchCommand: readonly string[];
  /**
   * How a waiting extension is approved (--approval): `auto` tries ui then database, `database`
   * bypasses what a user does and labels the iterations so. @default 'auto'
   */
  approval: ApprovalStrategyName;
  /** The command line, for run.json and the repro command. @default [] */
  argv: readonly string[];
  /** Aborted on Ctrl-C. @default a signal that never aborts */
  signal: AbortSignal;
  /** True after a second Ctrl-C: skip clean shutdowns. @default () => false */
  hurry: () => boolean;
  /** Terminal output. @default process.stdout */
  write: (text: string) => void;
  /** When to collect sysdiagnose, logs and state before teardown. @default 'on-failure' */
  evidence: EvidenceMode;
  /** How long sysdiagnose may take. @default 900000 (15 minutes) */
  sysdiagnoseTimeoutMs: number;
  /** Names of environment variables holding tokens to redact from everything written. @default [] */
  redactEnv: readonly string[];
  /**
   * How long checks wait for what macOS registers in the background (the upgraded extension's
   * launchd job and XPC endpoint, the old version's termination) before its absence counts.
   * @default 60000 (the sim scales it by its time scale, to at least 2000)
   */
  registrationDeadlineMs: number;
  /**
   * Iterations on this many VMs at once (--parallel); console, transcripts and junit.xml stay in
   * iteration order. @default undefined: the backend's free slots (tart: 2 per host minus the VMs
   * running), at least 1
   */
  parallel: number | undefined;
  /** Run only the iterations CI shard K of N owns (--shard K/N); `sysext-lab merge` joins them. @default undefined */
  shard: Shard | undefined;
}

/** What a caller gives: the scenario, and any option it wants other than its default. */
export type RunRequest = Pick<RunOptions, 'scenario'> & Partial<Omit<RunOptions, 'scenario'>>;

const never = new AbortController().signal;

export const runDefaults: Readonly<Omit<RunOptions, 'scenario'>> = {
  backend: 'sim',
  backendSettings: {},
  image: 'ghcr.io/cirruslabs/macos-sequoia-base:latest',
  images: [],
  repeat: 1,
  repetition: undefined,
  sleepStrategy: 'guest',
  sleepWake: {},
  inputs: {},
  artifactsDir: 'artifacts',
  keepVm: false,
  pull: false,
  launchCommand: activationDefaults.launchCommand,
  approval: approvalDefaults.strategy,
  argv: [],
  signal: never,
  hurry: () => false,
  write: (text) => {
    process.stdout.write(text);
  },
  evidence: 'on-failure',
  sysdiagnoseTimeoutMs: sysdiagnoseDefaults.timeoutMs,
  redactEnv: [],
  registrationDeadlineMs: 60_000,
  parallel: undefined,
  shard: undefined,
};

/**
 * The complete options (runDefaults, then the backend's defaults, then what was given) and the
 * backend's profile; throws ConfigError naming the option, the expected and the got value.
 */
export function resolveRunOptions(request: RunRequest): { options: RunOptions; profile: BackendProfile } {
  const given = Object.fromEntries(
    Object.entries(request).filter(([, value]) => value !== undefined),
  ) as RunRequest;
  const profile = createBackend(given.backend ?? runDefaults.backend, given.backendSettings ?? {});
  const { sleepWake: backendSleepWake, ...backendDefaults } = profile.runDefaults({
    image: runDefaults.image,
    registrationDeadlineMs: runDefaults.registrationDeadlineMs,
    sleepTimeoutMs: sleepWakeDefaults.sleepTimeoutMs,
    suspendedMs: sleepWakeDefaults.suspendedMs,
  });
  const options: RunOptions = {
    ...runDefaults,
    ...backendDefaults,
    ...given,
    sleepWake: { ...runDefaults.sleepWake, ...backendSleepWake, ...given.sleepWake },
  };
  validateRunOptions(options, profile);
  return { options, profile };
}

export function validateRunOptions(options: RunOptions, profile: BackendProfile): void {
  if (!Number.isInteger(options.repeat) || options.repeat < 1) {
    throw new ConfigError('--repeat', `--repeat must be a whole number >= 1, got ${options.repeat}`);
  }
  if (options.parallel !== undefined && !(Number.isInteger(options.parallel) && options.parallel >= 1)) {
    throw new ConfigError('--parallel', `--parallel must be a whole number >= 1, got ${options.parallel}`);
  }
  const { shard } = options;
  if (
    shard &&
    !(
      Number.isInteger(shard.count) &&
      shard.count >= 1 &&
      Number.isInteger(shard.index) &&
      shard.index >= 1 &&
      shard.index <= shard.count
    )
  ) {
    throw new ConfigError('--shard', `--shard must be K/N with 1 <= K <= N, got ${describeShard(shard)}`);
  }
  if (shard && options.repetition && options.repetition.mode !== 'repeat') {
    // A stopping rule reads the whole run's tally after each iteration; a shard sees only its part.
    throw new ConfigError(
      '--shard',
      `--shard ${describeShard(shard)} cannot be used with ${repetitionFlag(options.repetition)}: when to stop depends on every iteration's outcome, and a shard sees only its own; use --repeat N`,
    );
  }
  if (!APPROVAL_STRATEGIES.includes(options.approval)) {
    throw new ConfigError(
      '--approval',
      `--approval must be one of ${APPROVAL_STRATEGIES.join(', ')}, got "${options.approval}"`,
    );
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
  if (options.sleepStrategy !== 'guest' && options.sleepStrategy !== 'suspend') {
    throw new ConfigError(
      '--sleep-strategy',
      `--sleep-strategy must be guest or suspend, got "${options.sleepStrategy}"`,
    );
  }
  if (options.sleepStrategy === 'suspend' && profile.suspendProblem) {
    throw new ConfigError(
      '--sleep-strategy',
      `--sleep-strategy suspend cannot be used with --backend ${profile.kind}: ${profile.suspendProblem}; use --sleep-strategy guest`,
    );
  }
  const unobservable = unobservableReason(options.scenario.signature, options.sleepStrategy);
  if (unobservable && repetition && repetition.mode !== 'repeat') {
    throw new ConfigError(
      '--sleep-strategy',
      `--${repetition.mode} stops on the rate of "${options.scenario.signature.description}", but ${unobservable}; use --repeat N with this strategy, or --sleep-strategy ${options.scenario.signature.sleepStrategies?.join('|')}`,
    );
  }
  for (const image of imagesOf(options)) {
    const problem = profile.imageProblem(image);
    if (problem) {
      throw new ConfigError(
        '--image',
        `Invalid --image "${image}": ${problem}. Pass an OCI reference such as ${runDefaults.image} or the name of a local VM (\`tart list\`)`,
      );
    }
  }
  if (!evidenceModes.includes(options.evidence)) {
    throw new ConfigError(
      '--evidence',
      `--evidence must be one of ${evidenceModes.join(', ')}, got "${options.evidence}"`,
    );
  }
  for (const [name, value, min] of [
    ['registrationDeadlineMs', options.registrationDeadlineMs, 0],
    ['sysdiagnoseTimeoutMs', options.sysdiagnoseTimeoutMs, 1],
  ] as const) {
    if (!(Number.isFinite(value) && value >= min)) {
      throw new ConfigError(name, `${name} must be a number of ms >= ${min}, got ${value}`);
    }
  }
  if (options.launchCommand.length === 0 || options.launchCommand.some((part) => part === '')) {
    throw new ConfigError(
      '--launch-command',
      `--launch-command must name a command, e.g. "open -a", got "${options.launchCommand.join(' ')}"`,
    );
  }
  if (options.artifactsDir === '') {
    throw new ConfigError('--artifacts', '--artifacts must name a directory, got ""');
  }
}

/** The images the run clones, in order: the matrix, or the one image. */
export function imagesOf(options: Pick<RunOptions, 'image' | 'images'>): string[] {
  return options.images.length > 0 ? [...options.images] : [options.image];
}

/** The flag that asked for a stopping rule, for messages. */
function repetitionFlag(repetition: Repetition): string {
  return repetition.mode === 'until-different' ? '--compare-to' : `--${repetition.mode}`;
}
