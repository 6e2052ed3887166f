// `--backend sim`: the tart backend pointed at the embedded simulated Mac's fake `tart`. Only paths,
// environment and defaults differ from a real Mac; the harness code path is the same. The sim is
// reached through its executable, never imported.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../errors.ts';
import { packageRoot } from '../../package-root.ts';
import type { BackendProfile, BackendRegistration, BackendSettings } from '../backend-profile.ts';
import { runHostCommand } from '../host-command.ts';
import { hostFacts } from '../host-facts.ts';
import { type TartBackendOptions, tartBackendDefaults } from '../tart/tart-backend.ts';
import { tartProfile } from '../tart/tart-profile.ts';

export interface SimProfileOptions {
  /** Fault models, name -> probability (sim/README.md lists them). @default {} */
  quirks: Record<string, number>;
  /** Seeds the quirks' dice, so that a run repeats exactly. */
  seed: number;
  /** Multiplies the sim's modelled delays. @default process.env.SXL_SIM_TIME_SCALE ?? 0.1 */
  timeScale?: number;
  /** The simulated host's TART_HOME. @default process.env.SXL_SIM_TART_HOME ?? <repo>/.sim/tart-home */
  tartHome?: string;
}

/** The sim guests' SSH port (every simulated VM has its own loopback address, as VMs have their own IP). */
export const simSshPort = 2222;

export const simBackend: BackendRegistration = {
  kind: 'sim',
  summary: 'the embedded simulated Mac',
  settings: {
    seed: { flag: '--seed', about: "it seeds the simulated Mac's quirks" },
    quirks: { flag: '--quirk', about: "quirks are the simulated Mac's fault models" },
    timeScale: { about: "it scales the simulated Mac's modelled delays" },
    tartHome: { about: "the simulated host's TART_HOME" },
  },
  create: createSimProfile,
};

function createSimProfile(settings: BackendSettings): BackendProfile {
  const options = simSettings(settings);
  const scale = options.timeScale ?? defaultTimeScale();
  const base = tartProfile('sim', simBackendOptions(options), 'Run `make setup` first.');
  return {
    ...base,
    // Modelled time is scaled: waiting the real-Mac span for a sleep or a registration that never
    // comes would only slow the run. The floors keep room for the host's own latency at scale 0:
    // a loaded `make test` once took more than 1.5 s from `pmset sleepnow` to the guest's sleep.
    runDefaults: (generic) => ({
      registrationDeadlineMs: Math.max(2_000, generic.registrationDeadlineMs * scale),
      sleepWake: {
        sleepTimeoutMs: Math.max(5_000, generic.sleepTimeoutMs * scale),
        suspendedMs: Math.max(50, generic.suspendedMs * scale),
      },
    }),
    record: { seed: options.seed, quirks: options.quirks },
    properties: { seed: String(options.seed), quirks: quirkList(options.quirks) },
    withDefaultInputs: withSampleBuilds,
    doctor: {
      ...base.doctor,
      // The simulated Mac's own commands answer for the host (sim/host/host-shell.ts), not Linux's.
      hostCommand: (bin, args, waitOptions = {}) =>
        runHostCommand(process.execPath, [join(packageRoot(), 'sim', 'bin', 'sim-host.mjs'), bin, ...args], {
          env: base.vms.environment,
          allowFailure: true,
          timeoutMs: waitOptions.timeoutMs ?? 30_000,
          signal: waitOptions.signal,
        }),
    },
    async describe(waitOptions = {}) {
      // The host is whatever runs the simulation, not the Mac it models.
      return { ...(await base.describe(waitOptions)), host: hostFacts() };
    },
  };
}

/** Validates the sim's settings; a seed not given is drawn at random (run.json records it). */
function simSettings(settings: BackendSettings): SimProfileOptions {
  const { seed, quirks, timeScale, tartHome } = settings;
  if (seed !== undefined && !(Number.isInteger(seed) && (seed as number) >= 0)) {
    throw new ConfigError('--seed', `--seed must be a whole number >= 0, got ${String(seed)}`);
  }
  if (quirks !== undefined && (typeof quirks !== 'object' || quirks === null || Array.isArray(quirks))) {
    throw new ConfigError(
      '--quirk',
      `quirks must be an object of name -> probability, got ${String(quirks)}`,
    );
  }
  for (const [name, p] of Object.entries((quirks ?? {}) as Record<string, unknown>)) {
    if (!/^[a-z0-9-]+$/.test(name) || typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new ConfigError(
        '--quirk',
        `--quirk expects NAME=P with P between 0 and 1, e.g. xpc-endpoint-lost-on-upgrade=0.2; got "${name}=${String(p)}"`,
      );
    }
  }
  if (
    timeScale !== undefined &&
    !(typeof timeScale === 'number' && timeScale >= 0 && Number.isFinite(timeScale))
  ) {
    throw new ConfigError('timeScale', `timeScale must be a number >= 0, got ${String(timeScale)}`);
  }
  if (tartHome !== undefined && (typeof tartHome !== 'string' || tartHome === '')) {
    throw new ConfigError('tartHome', `tartHome must be a directory path, got ${String(tartHome)}`);
  }
  return {
    seed: (seed as number | undefined) ?? Math.floor(Math.random() * 2 ** 31),
    quirks: { ...((quirks ?? {}) as Record<string, number>) },
    ...(timeScale === undefined ? {} : { timeScale: timeScale as number }),
    ...(tartHome === undefined ? {} : { tartHome: tartHome as string }),
  };
}

function defaultTimeScale(): number {
  const text = process.env.SXL_SIM_TIME_SCALE;
  if (text === undefined) return 0.1;
  const scale = Number(text);
  if (text.trim() === '' || !(scale >= 0 && Number.isFinite(scale))) {
    throw new ConfigError('SXL_SIM_TIME_SCALE', `SXL_SIM_TIME_SCALE must be a number >= 0, got "${text}"`);
  }
  return scale;
}

function quirkList(quirks: Record<string, number>): string {
  return Object.entries(quirks)
    .map(([name, p]) => `${name}=${p}`)
    .join(',');
}

/** TartBackend options for the sim's fake tart (tests that drive the backend directly use them too). */
export function simBackendOptions(options: SimProfileOptions): TartBackendOptions {
  const tartHome =
    options.tartHome ?? process.env.SXL_SIM_TART_HOME ?? join(packageRoot(), '.sim', 'tart-home');
  const timeScale = options.timeScale ?? defaultTimeScale();
  return {
    name: 'sim',
    tartBin: join(packageRoot(), 'sim', 'bin', 'tart'),
    sshPort: simSshPort,
    credentials: { username: 'admin', password: 'admin' },
    // The sim's boot and DHCP lease are scaled delays: so is the wait for an IP (no-ip ends in seconds).
    ipTimeoutMs: Math.max(10_000, tartBackendDefaults.ipTimeoutMs * timeScale),
    env: {
      TART_HOME: tartHome,
      SXL_SIM_QUIRKS: quirkList(options.quirks),
      SXL_SIM_SEED: String(options.seed),
      SXL_SIM_TIME_SCALE: String(timeScale),
      SXL_SIM_SSH_PORT: String(simSshPort),
    },
  };
}

/** Build inputs not given default to the scenario's sample build (sim/builds/out). */
function withSampleBuilds(
  declared: Readonly<Record<string, { kind: string; simSample?: string }>>,
  given: Readonly<Record<string, string>>,
): Record<string, string> {
  const inputs = { ...given };
  const dir = join(packageRoot(), 'sim', 'builds', 'out');
  for (const [name, input] of Object.entries(declared)) {
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
