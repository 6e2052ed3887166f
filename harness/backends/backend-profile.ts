// A backend profile: everything that differs between the places VMs run (a real Mac with tart, the
// simulated Mac, later a fleet). The run wiring and the CLI hold a profile and never ask its kind.
import type { DoctorCheck } from '../doctor/doctor-check.ts';
import type { HostCommandRecord } from './host-command.ts';
import type { BackendDescription, VmBackend, WaitOptions } from './vm-backend.ts';

/** Settings a backend takes besides the run's own options (the sim: seed, quirks, ...). */
export type BackendSettings = Readonly<Record<string, unknown>>;

/** The machine that runs the VMs, for run.json and Feedback reports. */
export interface HostFacts {
  os: string;
  release: string;
  arch: string;
  /** On a Mac host: its macOS version and model (e.g. Mac14,6). */
  macos?: string;
  model?: string;
}

/** What run.json records about the backend and its host. */
export interface BackendDescriptionWithHost extends BackendDescription {
  host: HostFacts;
}

/** A scenario input as a backend sees it: only build inputs with a sample matter here. */
export interface DeclaredInput {
  kind: string;
  /** The sample build (a file name) a simulated host can supply for it. */
  simSample?: string;
}

/**
 * Run options whose default depends on the backend: on a backend whose time is scaled, waiting a
 * real minute for what never comes would only slow the run.
 */
export interface BackendRunDefaults {
  image?: string;
  registrationDeadlineMs?: number;
  sleepWake?: { sleepTimeoutMs?: number; suspendedMs?: number };
}

/** The real-Mac values of what a backend may set, for a backend that derives its own from them. */
export interface GenericRunDefaults {
  image: string;
  registrationDeadlineMs: number;
  sleepTimeoutMs: number;
  suspendedMs: number;
}

/** What `sysext-lab doctor` needs from a backend besides its VMs: the host's own shell and tart exec. */
export interface DoctorSupport {
  /**
   * Runs a macOS command on the host the VMs run on (the sim: its simulated Mac's commands) and
   * returns its output; a non-zero exit is returned, not thrown.
   */
  hostCommand(bin: string, args: readonly string[], options?: WaitOptions): Promise<HostCommandRecord>;
  /**
   * `tart exec VM ARGV...`: a command through the guest agent, past the network. Absent where the
   * backend offers no agent (Orchard): doctor then has no agent to check.
   */
  agentExec?(vm: string, argv: readonly string[], options?: WaitOptions): Promise<HostCommandRecord>;
  /** Where the VMs' disks are (TART_HOME), for the free-space check. */
  readonly storageDir: string;
  /** The environment the VM tool runs with (TART_NO_AUTO_PRUNE is read from it). */
  readonly env: Readonly<NodeJS.ProcessEnv>;
  /**
   * A fleet's checks (its controller answers, the credentials hold, a slot is free), done instead of
   * the host checks where the Macs that run the VMs are not this machine (Orchard). `described` is
   * what the profile's `describe` gave doctor (or its error): the controller is not asked twice.
   */
  fleetChecks?(described: BackendDescription | Error, options?: WaitOptions): Promise<DoctorCheck[]>;
}

export interface BackendProfile {
  /** The name it is registered under, as `--backend` takes it. */
  readonly kind: string;
  /** What the runner drives. */
  readonly vms: VmBackend;
  /** Defaults this backend sets over `runDefaults` (given them); options given by the caller win. */
  runDefaults(generic: Readonly<GenericRunDefaults>): BackendRunDefaults;
  /** Values to mask in everything the run writes (the guest's SSH password, tokens). */
  readonly secrets: readonly { name: string; value: string }[];
  /** What run.json records of this backend's settings, e.g. the sim's seed and quirks. */
  readonly record: Readonly<Record<string, unknown>>;
  /** The same facts as JUnit suite properties (name -> value). */
  readonly properties: Readonly<Record<string, string>>;
  /** Inputs the backend supplies when they are not given (the sim's sample builds); throws ConfigError. */
  withDefaultInputs(
    declared: Readonly<Record<string, DeclaredInput>>,
    given: Readonly<Record<string, string>>,
  ): Record<string, string>;
  /**
   * Why this backend cannot suspend a VM and resume that same VM (`--sleep-strategy suspend`), or
   * undefined when it can; the run refuses the option before any VM is made.
   */
  readonly suspendProblem?: string;
  /** Why this backend cannot run `image`, or undefined when it can. */
  imageProblem(image: string): string | undefined;
  /** The host shell and agent access `sysext-lab doctor` checks through. */
  readonly doctor: DoctorSupport;
  /** The VM tool's version and the host; throws ConfigError when the tool does not run. */
  describe(options?: WaitOptions): Promise<BackendDescriptionWithHost>;
  /**
   * How many more macOS VMs the backend can run now: `--parallel`'s default. tart: Apple's two per
   * host minus the VMs `tart list` shows running; a fleet: the free slots of its workers. Never
   * negative; 0 when everything is taken (the run then still goes, one VM at a time).
   */
  freeSlots(options?: WaitOptions): Promise<number>;
}

/** Apple's limit of macOS VMs per host (macOS SLA; Virtualization.framework enforces it). */
export const macosVmsPerHost = 2;

export interface BackendSettingInfo {
  /** The `sysext-lab run` flag that sets it, for messages. @default the setting's name */
  flag?: string;
  /** What it is, e.g. `quirks are the simulated Mac's fault models`. */
  about: string;
}

/** One backend as the registry knows it: its kind, a line for --help, and how to make its profile. */
export interface BackendRegistration {
  readonly kind: string;
  /** For `sysext-lab --help`, e.g. `a real Apple-silicon Mac with tart`. */
  readonly summary: string;
  /** The settings it takes, by name; any other given setting is a usage error. */
  readonly settings: Readonly<Record<string, BackendSettingInfo>>;
  /** Validates the settings (ConfigError naming the setting, the expected and the got value). */
  create(settings: BackendSettings): BackendProfile;
}
