// What a scenario's `run(t)` gets: the guest, its inputs, and steps that are timed, reported and
// bracketed by state snapshots (systemextensionsctl list, launchctl print of the watched jobs).
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { StartOptions, VmBackend } from '../backends/vm-backend.ts';
import { CheckFailedError } from '../errors.ts';
import { type ActivationOptions, activateExtension } from '../macos/activation.ts';
import { type ApprovalStrategyName, approvalDefaults } from '../macos/approve-extension.ts';
import type { BundleInfo } from '../macos/bundle-info.ts';
import { type InstalledBuild, installBuild } from '../macos/install-build.ts';
import { networkExtensionJobs } from '../macos/launchd.ts';
import { rebootGuest } from '../macos/reboot.ts';
import {
  type SleepStrategy,
  type SleepWakeOptions,
  type SleepWakeResult,
  sleepAndWake,
} from '../macos/sleep-wake.ts';
import type { ExecResult, GuestSession } from '../ssh/guest-session.ts';
import type { EmitEvent, StepRecord } from './events.ts';

/** How old a snapshot may be for the next step's "before" to repeat it (see snapshot()). */
const SNAPSHOT_REUSE_MS = 1000;

export interface ScenarioContext {
  readonly iteration: number;
  readonly vm: string;
  readonly guest: GuestSession;
  /** Aborted on Ctrl-C; pass it to every guest call. */
  readonly signal: AbortSignal;
  /** The scenario's inputs as given on the command line (--from, --to, ...). */
  readonly inputs: Readonly<Record<string, string>>;
  /** A timed, reported step; snapshots of the watched state are taken before and after it. */
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Adds an extension whose launchd jobs the snapshots print. */
  watchExtension(bundleId: string): void;
  /** Installs the build given as input `role` (e.g. "from") and records what it holds. */
  installBuild(role: string): Promise<InstalledBuild>;
  /** Launches the app and brings the extension to [activated enabled], approving it if asked. */
  activate(build: InstalledBuild, extension: BundleInfo): Promise<void>;
  /** Writes a file into this iteration's folder and reports it. */
  saveArtifact(name: string, content: string): Promise<string>;
  /** Downloads a guest file into this iteration's folder and reports it; returns the local path. */
  downloadArtifact(name: string, guestPath: string): Promise<string>;
  /** A line in the transcript. */
  note(text: string): void;
  /** How this run sleeps and wakes guests (--sleep-strategy). */
  readonly sleepStrategy: SleepStrategy;
  /**
   * Sleeps and wakes the guest by the run's strategy and reconnects; `since` is the guest's clock
   * before. Run the check that follows inside the result's `whileAwake(check)`. What the harness
   * could not prove is an infrastructure error, never the bug: no sleep (NoSleepError), no full wake
   * or a sleep during the check (NoFullWakeError), no saved or restored snapshot (SuspendFailedError).
   */
  sleepAndWake(): Promise<SleepWakeResult>;
  /** `sudo -n reboot`, then reconnects. */
  reboot(): Promise<void>;
  /** Records a fact about this iteration besides its outcome, e.g. ('reboot-probe', 'recovered'). */
  recordFinding(name: string, value: string): void;
  /** How this run approves a waiting extension (--approval). */
  readonly approval: ApprovalStrategyName;
  /**
   * How long checks wait for what macOS registers in the background (a launchd job, an endpoint,
   * an extension's next state) before its absence counts: the run's `registrationDeadlineMs`.
   */
  readonly registrationDeadlineMs: number;
}

export interface ContextSetup {
  iteration: number;
  vm: string;
  guest: GuestSession;
  signal: AbortSignal;
  inputs: Readonly<Record<string, string>>;
  runDir: string;
  iterationDir: string;
  emit: EmitEvent;
  note: (text: string) => void;
  activation: ActivationOptions;
  stagingDir: string;
  onBuildInstalled: (role: string, build: InstalledBuild) => void;
  backend: VmBackend;
  startOptions: StartOptions;
  sleepWake: SleepWakeOptions;
  sshTimeoutMs: number;
  registrationDeadlineMs: number;
}

export class IterationContext implements ScenarioContext {
  readonly steps: StepRecord[] = [];
  readonly artifacts: string[] = [];
  readonly findings: Record<string, string> = {};
  private readonly watched = new Set<string>();

  /** Bundle IDs of the extensions under test, for evidence (their logs and jobs). */
  get watchedExtensions(): string[] {
    return [...this.watched];
  }
  private snapshotCount = 0;
  private lastSnapshot: { name: string; text: string; operationCount: number; takenAt: number } | undefined;
  /** The watched extensions' launchd jobs the last snapshot found: printed with the next one's look. */
  private snapshotLabels: string[] = [];

  constructor(private readonly setup: ContextSetup) {}

  get iteration() {
    return this.setup.iteration;
  }
  get vm() {
    return this.setup.vm;
  }
  get guest() {
    return this.setup.guest;
  }
  get signal() {
    return this.setup.signal;
  }
  get inputs() {
    return this.setup.inputs;
  }
  get registrationDeadlineMs() {
    return this.setup.registrationDeadlineMs;
  }
  get approval(): ApprovalStrategyName {
    return this.setup.activation.approval ?? approvalDefaults.strategy;
  }

  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const { emit, iteration } = this.setup;
    const startedAt = new Date();
    emit({ type: 'step-started', iteration, step: name, at: startedAt.toISOString() });
    await this.snapshot(name, 'before');
    const started = performance.now();
    const finish = (ok: boolean, error?: unknown) => {
      const record: StepRecord = {
        name,
        startedAt: startedAt.toISOString(),
        durationMs: Math.round(performance.now() - started),
        ok,
        ...(error === undefined ? {} : { error: (error as Error).message ?? String(error) }),
      };
      this.steps.push(record);
      emit({ type: 'step-finished', iteration, step: record });
    };
    try {
      const value = await fn();
      finish(true);
      await this.snapshot(name, 'after');
      return value;
    } catch (error) {
      finish(false, error);
      if (error instanceof CheckFailedError) {
        emit({ type: 'check-failed', iteration, check: error.check, message: error.message });
      }
      // Checks and some infrastructure errors (NoSleepError) carry the raw output they read.
      const evidence = (error as { evidence?: unknown } | null)?.evidence;
      if (evidence && typeof evidence === 'object') {
        for (const [file, content] of Object.entries(evidence as Record<string, unknown>)) {
          if (typeof content === 'string') await this.saveArtifact(join('evidence', file), content);
        }
      }
      if (!this.signal.aborted) await this.snapshot(name, 'after');
      throw error;
    }
  }

  watchExtension(bundleId: string): void {
    this.watched.add(bundleId);
  }

  async installBuild(role: string): Promise<InstalledBuild> {
    const path = this.inputs[role];
    if (!path) throw new Error(`Scenario input "${role}" is not set: pass --${role} PATH`);
    const build = await installBuild(this.guest, path, {
      stagingDir: this.setup.stagingDir,
      signal: this.signal,
    });
    this.note(
      `installed ${role} ${path}: ${build.appPath} ${build.app.shortVersion} (${build.app.bundleVersion})`,
    );
    for (const extension of build.extensions) this.watchExtension(extension.bundleId);
    this.setup.onBuildInstalled(role, build);
    return build;
  }

  activate(build: InstalledBuild, extension: BundleInfo): Promise<void> {
    return activateExtension(this.guest, build.appPath, extension, {
      ...this.setup.activation,
      signal: this.signal,
      approvalSettleMs: this.setup.registrationDeadlineMs,
      saveFile: (name, guestPath) => this.downloadArtifact(join('evidence', name), guestPath),
      recordFinding: (name, value) => this.recordFinding(name, value),
    });
  }

  async saveArtifact(name: string, content: string): Promise<string> {
    const path = join(this.setup.iterationDir, name);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, content);
    const rel = relative(this.setup.runDir, path);
    this.artifacts.push(rel);
    this.setup.emit({
      type: 'artifact-saved',
      iteration: this.iteration,
      path: rel,
      bytes: Buffer.byteLength(content),
    });
    return path;
  }

  async downloadArtifact(name: string, guestPath: string): Promise<string> {
    const path = join(this.setup.iterationDir, name);
    await mkdir(join(path, '..'), { recursive: true });
    await this.guest.download(guestPath, path, { signal: this.signal });
    const rel = relative(this.setup.runDir, path);
    this.artifacts.push(rel);
    this.setup.emit({
      type: 'artifact-saved',
      iteration: this.iteration,
      path: rel,
      bytes: (await stat(path)).size,
    });
    return path;
  }

  note(text: string): void {
    this.setup.note(text);
  }

  get sleepStrategy(): SleepStrategy {
    return this.setup.sleepWake.strategy;
  }

  sleepAndWake(): Promise<SleepWakeResult> {
    return sleepAndWake(
      {
        guest: this.guest,
        backend: this.setup.backend,
        vm: this.vm,
        startOptions: this.setup.startOptions,
        signal: this.signal,
        note: (text) => this.note(text),
      },
      { reconnectTimeoutMs: this.setup.sshTimeoutMs, ...this.setup.sleepWake },
    );
  }

  reboot(): Promise<void> {
    return rebootGuest(this.guest, {
      signal: this.signal,
      reconnectTimeoutMs: this.setup.sshTimeoutMs,
      vm: { backend: this.setup.backend, name: this.vm },
    });
  }

  recordFinding(name: string, value: string): void {
    this.findings[name] = value;
    this.note(`finding ${name}: ${value}`);
  }

  /**
   * State before/after a step; failures to read it are written into the snapshot, never thrown. A
   * step's "before" repeats the previous step's "after" when nothing was done to the guest since and
   * it is under a second old: the same state, without reading it again over SSH.
   */
  private async snapshot(step: string, phase: 'before' | 'after'): Promise<void> {
    if (!this.guest.isConnected || this.signal.aborted) return;
    this.snapshotCount += 1;
    const slug = step
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    const name = join('snapshots', `${String(this.snapshotCount).padStart(2, '0')}-${slug}-${phase}.txt`);
    const last = this.lastSnapshot;
    if (
      phase === 'before' &&
      last &&
      last.operationCount === this.guest.operationCount &&
      performance.now() - last.takenAt < SNAPSHOT_REUSE_MS
    ) {
      await this.saveArtifact(
        name,
        `(same state as ${last.name}: nothing was done to the guest since)\n${last.text}`,
      );
      return;
    }
    const text = await this.readSnapshot();
    await this.saveArtifact(name, text);
    this.lastSnapshot = { name, text, operationCount: this.guest.operationCount, takenAt: performance.now() };
  }

  /**
   * The extension state as the guest tells it: `systemextensionsctl list`, and `launchctl print` of
   * each job of the watched extensions. The labels come from `launchctl list`; the jobs the last
   * snapshot found are printed in the same SSH exec, so that one exec does when they are still the
   * jobs there are, and a second one prints only new ones.
   */
  private async readSnapshot(): Promise<string> {
    const options = { signal: this.signal, allowFailure: true };
    const section = (r: ExecResult) =>
      `$ ${r.command}\n${r.exitCode === 0 ? '' : `(exit ${r.exitCode})\n`}${r.stdout}${r.stderr}`;
    const print = (label: string) => ['sudo', '-n', 'launchctl', 'print', `system/${label}`];
    try {
      // launchd's jobs are looked at only once there is an extension to look for.
      const watching = this.watched.size > 0;
      const expected = watching ? this.snapshotLabels : [];
      const [list, jobs, ...expectedPrints] = await this.guest.execEach(
        [
          ['systemextensionsctl', 'list'],
          ...(watching ? [['sudo', '-n', 'launchctl', 'list']] : []),
          ...expected.map(print),
        ],
        options,
      );
      const sections = [section(list!)];
      const labels: string[] = [];
      for (const bundleId of this.watched) {
        const found = jobs!.exitCode === 0 ? networkExtensionJobs(jobs!.stdout, bundleId) : [];
        if (jobs!.exitCode !== 0)
          sections.push(`(launchctl list failed: exit ${jobs!.exitCode}: ${jobs!.stderr.trim()})`);
        else if (found.length === 0) sections.push(`(no launchd job NetworkExtension.${bundleId}.*)`);
        labels.push(...found);
      }
      this.snapshotLabels = labels;
      const printed = new Map(expected.map((label, i) => [label, expectedPrints[i]!]));
      const missing = labels.filter((label) => !printed.has(label));
      if (missing.length > 0) {
        const prints = await this.guest.execEach(missing.map(print), options);
        for (const [i, label] of missing.entries()) printed.set(label, prints[i]!);
      }
      sections.push(...labels.map((label) => section(printed.get(label)!)));
      return `${sections.join('\n\n')}\n`;
    } catch (error) {
      return `(the state could not be read: ${(error as Error).message})\n`;
    }
  }
}
