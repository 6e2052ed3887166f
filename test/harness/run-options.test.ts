// One RunOptions: runDefaults, then the backend's defaults, then what the caller gives; one
// validator that names the option, the expected and the got value.
import test from 'ava';
import { ConfigError } from '../../harness/errors.ts';
import type { EvidenceMode } from '../../harness/evidence/iteration-evidence.ts';
import type { SleepStrategy } from '../../harness/macos/sleep-wake.ts';
import { resolveRunOptions, runDefaults } from '../../harness/run-options.ts';
import { findScenario } from '../../scenarios/index.ts';

const scenario = findScenario('upgrade-xpc')!;

test('what is not given takes runDefaults, then the backend default; what is given wins', (t) => {
  const { options, profile } = resolveRunOptions({
    scenario,
    backendSettings: { seed: 3, timeScale: 0 },
    sleepWake: { suspendedMs: 7 },
    repeat: undefined,
  });
  t.is(profile.kind, runDefaults.backend);
  t.is(options.repeat, 1);
  t.is(options.image, runDefaults.image);
  t.is(options.evidence, 'on-failure');
  t.is(options.registrationDeadlineMs, 2_000);
  t.deepEqual(options.sleepWake, { sleepTimeoutMs: 5_000, suspendedMs: 7 });
  const real = resolveRunOptions({ scenario, backend: 'tart', registrationDeadlineMs: 5_000 });
  t.is(real.options.registrationDeadlineMs, 5_000);
  t.deepEqual(real.options.sleepWake, {});
});

for (const [given, message] of [
  [{ repeat: 0 }, /^--repeat must be a whole number >= 1, got 0$/],
  [{ parallel: 0 }, /^--parallel must be a whole number >= 1, got 0$/],
  [{ shard: { index: 3, count: 2 } }, /^--shard must be K\/N with 1 <= K <= N, got 3\/2$/],
  [
    { shard: { index: 1, count: 2 }, repetition: { mode: 'until-confident', max: 9, threshold: 0.05 } },
    /^--shard 1\/2 cannot be used with --until-confident: /,
  ],
  [{ sleepStrategy: 'nap' as SleepStrategy }, /^--sleep-strategy must be guest or suspend, got "nap"$/],
  [
    { evidence: 'sometimes' as EvidenceMode },
    /^--evidence must be one of on-failure, always, never, got "sometimes"$/,
  ],
  [{ sysdiagnoseTimeoutMs: 0 }, /^sysdiagnoseTimeoutMs must be a number of ms >= 1, got 0$/],
  [{ images: ['ok', '-bad'] }, /^Invalid --image "-bad": it begins with "-"/],
  [{ launchCommand: [] }, /^--launch-command must name a command, e.g. "open -a", got ""$/],
  [{ repetition: { mode: 'until-fail', max: 0 } as const }, /^--max must be a whole number >= 1, got 0$/],
] as const) {
  test(`${JSON.stringify(given)} is refused, naming the option`, (t) => {
    t.throws(() => resolveRunOptions({ scenario, backend: 'tart', ...given }), {
      instanceOf: ConfigError,
      message,
    });
  });
}
