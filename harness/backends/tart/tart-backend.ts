// VmBackend over the `tart` CLI (tart-cli.md): clone, set --random-mac, run in the background,
// ip polling, stop, delete, list. The same code drives real tart and the sim's fake tart.

import { readFile, stat } from 'node:fs/promises';
import { delay, race } from '../../abort.ts';
import { HostCommandError, SuspendFailedError, tail } from '../../errors.ts';
import { doNotRetry, pollPaces, retryUntil } from '../../retry.ts';
import type { SshCredentials, SshEndpoint } from '../../ssh/guest-session.ts';
import {
  type BackgroundProcess,
  type HostCommandRecord,
  runHostCommand,
  startBackgroundProcess,
} from '../host-command.ts';
import type {
  BackendDescription,
  StartOptions,
  VmBackend,
  VmInfo,
  VmStopped,
  WaitOptions,
} from '../vm-backend.ts';

// tart's own words (Sources/tart/Commands/Run.swift at 2.32.1), printed on stdout by `tart run`.
/** Printed once `saveMachineStateTo` succeeded, before the run exits 0. */
export const SNAPSHOT_SAVED = 'snapshot created successfully';
/** Printed by a `tart run` that found a snapshot, before it restores it. */
export const RESTORING = 'restoring VM state from a snapshot...';
/** Printed once the snapshot is restored, before the VM runs again. */
export const RESUMING = 'resuming VM...';

export interface TartBackendOptions {
  /** Backend name recorded in reports. @default 'tart' */
  name?: string;
  /** The tart executable. @default process.env.TART_BIN ?? 'tart' */
  tartBin?: string;
  /** Extra environment for every tart process (TART_HOME, registry credentials, ...). */
  env?: NodeJS.ProcessEnv;
  /** Guest SSH port. @default 22 */
  sshPort?: number;
  /** Guest account; the Cirrus Labs images use admin/admin. */
  credentials?: SshCredentials;
  /** How long `tart clone` may take, including a pull of a 25 GB image. @default 3600000 */
  cloneTimeoutMs?: number;
  /** How long to wait for the guest's IP after `tart run`. @default 180000 */
  ipTimeoutMs?: number;
  /** How long `tart run` may take to save a snapshot and exit after `tart suspend` (8 GB of RAM take a while). @default 600000 */
  suspendTimeoutMs?: number;
}

export const tartBackendDefaults = {
  sshPort: 22,
  credentials: { username: 'admin', password: 'admin' },
  cloneTimeoutMs: 3_600_000,
  ipTimeoutMs: 180_000,
  commandTimeoutMs: 120_000,
  suspendTimeoutMs: 600_000,
  /** After `tart run` exited, how long `tart list` may take to call the VM suspended. */
  listTimeoutMs: 30_000,
} as const;

interface RunRecord {
  process: BackgroundProcess;
  logFile: string;
  /** Where this run's output starts in logFile: a resume appends to the same file. */
  logOffset: number;
}

export class TartBackend implements VmBackend {
  readonly name: string;
  private readonly tartBin: string;
  private readonly running = new Map<string, RunRecord>();
  private readonly listeners = new Set<(record: HostCommandRecord) => void>();

  constructor(private readonly options: TartBackendOptions = {}) {
    this.name = options.name ?? 'tart';
    this.tartBin = options.tartBin ?? process.env.TART_BIN ?? 'tart';
  }

  onCommand(listener: (record: HostCommandRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async describe(options: WaitOptions = {}): Promise<BackendDescription> {
    const version = await this.tart(['--version'], options);
    return { backend: this.name, tool: this.tartBin, toolVersion: version.stdout.trim() };
  }

  async pull(image: string, options: WaitOptions = {}): Promise<void> {
    await this.tart(['pull', image], {
      ...options,
      timeoutMs: options.timeoutMs ?? this.options.cloneTimeoutMs ?? tartBackendDefaults.cloneTimeoutMs,
    });
  }

  async clone(image: string, name: string, options: WaitOptions = {}): Promise<void> {
    await this.tart(['clone', image, name], {
      ...options,
      timeoutMs: options.timeoutMs ?? this.options.cloneTimeoutMs ?? tartBackendDefaults.cloneTimeoutMs,
    });
    // Clones share the golden image's MAC; a fresh one avoids DHCP lease collisions (tart-cli.md §8).
    await this.tart(['set', name, '--random-mac'], options);
  }

  async start(name: string, options: StartOptions): Promise<void> {
    const args = [
      'run',
      name,
      '--no-graphics',
      // The clipboard's console device is kept by suspendable VMs since tart 1cbc1e2, and whether
      // the host's VZ can save it is unknown: leave it out (real-mac-review.md item 3).
      ...(options.suspendable ? ['--suspendable', '--no-clipboard'] : []),
    ];
    const logOffset = await stat(options.logFile).then(
      (s) => s.size,
      () => 0,
    );
    const process = startBackgroundProcess(this.tartBin, args, {
      env: this.options.env,
      logFile: options.logFile,
    });
    this.running.set(name, { process, logFile: options.logFile, logOffset });
    this.emit({
      command: process.command,
      stdout: `(running in the background, pid ${process.pid}, output in ${options.logFile})`,
      stderr: '',
      exitCode: null,
      durationMs: 0,
      startedAt: new Date(),
      timedOut: false,
    });
  }

  resume(name: string, options: StartOptions): Promise<void> {
    // `tart run` of a suspended VM restores its snapshot; the flags must be those it was saved with.
    return this.start(name, { ...options, suspendable: true });
  }

  async confirmResumed(name: string, _options: WaitOptions = {}): Promise<void> {
    const run = this.running.get(name);
    if (!run) throw new SuspendFailedError(name, 'resume', 'no `tart run` of it was started by this run');
    // tart prints both lines before the VM runs again, and line-buffered (Root.swift): by the time
    // the guest answers they are in the log, unless this run booted afresh.
    const output = await this.runOutput(run);
    const missing = [RESTORING, RESUMING].filter((line) => !output.includes(line));
    if (missing.length === 0) return;
    throw new SuspendFailedError(
      name,
      'resume',
      `\`${run.process.command}\` did not print ${missing.map((line) => `"${line}"`).join(' and ')}, so it did not restore a snapshot (a cold boot?)${run.process.exitCode === undefined ? '' : `; it exited with code ${run.process.exitCode}`}; its output: ${tail(output, 400) || '(none)'}`,
      { 'tart-run-resume.log': output },
    );
  }

  async whenStopped(name: string, signal: AbortSignal): Promise<VmStopped> {
    const run = this.running.get(name);
    const exited = new Promise<VmStopped>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      // Not started by us: nothing to watch, so only the signal ends the wait.
      void run?.process.exited.then(async (exitCode) => {
        signal.removeEventListener('abort', onAbort);
        const output = await this.runOutput(run);
        resolve({
          exitCode,
          output,
          description: `Exit code ${exitCode ?? 'none (killed)'} from \`${run.process.command}\`${output.trim() ? `: ${tail(output, 400)}` : ''}`,
        });
      });
    });
    return exited;
  }

  async endpoint(name: string, options: WaitOptions = {}): Promise<SshEndpoint> {
    const timeoutMs = options.timeoutMs ?? this.options.ipTimeoutMs ?? tartBackendDefaults.ipTimeoutMs;
    // `tart ip` does not wait for `tart run` to take its lock (tart-cli.md §8), so poll it.
    const host = await retryUntil(
      async () => {
        const early = await this.runFailure(name);
        if (early) throw doNotRetry(early);
        const result = await this.tart(['ip', name], { signal: options.signal, allowFailure: true });
        const ip = result.stdout.trim();
        if (result.exitCode !== 0 || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) {
          throw new Error(
            tail(result.stderr || result.stdout, 200) || `no address (exit ${result.exitCode})`,
          );
        }
        return ip;
      },
      {
        what: `an IP address (tart ip ${name})`,
        vm: name,
        timeoutMs,
        // The lease can come at any moment of a boot; `tart ip --wait` would look only once a second.
        ...pollPaces.quickLook,
        signal: options.signal,
      },
    );
    return {
      host,
      port: this.options.sshPort ?? tartBackendDefaults.sshPort,
      credentials: this.options.credentials ?? tartBackendDefaults.credentials,
    };
  }

  async stop(name: string, options: WaitOptions = {}): Promise<void> {
    const result = await this.tart(['stop', name, '--timeout', '5'], { ...options, allowFailure: true });
    // Exit 2 means "not running" or "does not exist": the VM is already stopped (tart-cli.md §1 stop).
    if (result.exitCode !== 0 && result.exitCode !== 2) {
      throw new HostCommandError(
        result.command,
        result.exitCode,
        tail(result.stderr, 400),
        result.durationMs,
      );
    }
    const run = this.running.get(name);
    if (run) {
      await race<unknown>([() => run.process.exited, (signal) => delay(10_000, signal)]);
      run.process.kill('SIGKILL');
      this.running.delete(name);
    }
  }

  async suspend(name: string, options: WaitOptions = {}): Promise<void> {
    const timeoutMs =
      options.timeoutMs ?? this.options.suspendTimeoutMs ?? tartBackendDefaults.suspendTimeoutMs;
    const run = this.running.get(name);
    // `tart suspend` only signals `tart run`, which saves the snapshot and exits (Suspend.swift).
    const sent = await this.tart(['suspend', name], { signal: options.signal, allowFailure: true });
    if (sent.exitCode !== 0) {
      throw new SuspendFailedError(
        name,
        'suspend',
        `\`${sent.command}\` exited with code ${sent.exitCode}: ${tail(sent.stderr || sent.stdout, 400)}`,
      );
    }
    if (run) {
      const exitCode = await race<number | null | 'timeout'>(
        [() => run.process.exited, (signal) => delay(timeoutMs, signal).then(() => 'timeout' as const)],
        options.signal,
      );
      const output = await this.runOutput(run);
      const evidence = { 'tart-run-suspend.log': output };
      const said = `its output: ${tail(output, 400) || '(none)'}`;
      if (exitCode === 'timeout') {
        throw new SuspendFailedError(
          name,
          'suspend',
          `\`${run.process.command}\` was still running ${timeoutMs} ms after \`tart suspend\`; ${said}`,
          evidence,
        );
      }
      this.running.delete(name);
      // A failed save prints "Failed to suspend the VM: ..." on stdout and exits 1 (Run.swift).
      if (exitCode !== 0 || !output.includes(SNAPSHOT_SAVED)) {
        throw new SuspendFailedError(
          name,
          'suspend',
          `\`${run.process.command}\` exited with code ${exitCode ?? 'none (killed)'}${output.includes(SNAPSHOT_SAVED) ? '' : ` without "${SNAPSHOT_SAVED}"`}; ${said}`,
          evidence,
        );
      }
    }
    // The snapshot file is what makes the next `tart run` restore instead of boot (VMDirectory.state()).
    let lastState = 'not listed';
    try {
      await retryUntil(
        async () => {
          const vm = (await this.list({ signal: options.signal })).find((v) => v.name === name);
          lastState = vm?.state ?? 'not listed';
          if (lastState !== 'suspended') throw new Error(`tart list: State ${lastState}`);
        },
        {
          what: `State "suspended" in \`tart list\` for ${name}`,
          vm: name,
          timeoutMs: tartBackendDefaults.listTimeoutMs,
          intervalMs: 50,
          backoffFactor: 2,
          maxIntervalMs: 1000,
          signal: options.signal,
        },
      );
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new SuspendFailedError(
        name,
        'suspend',
        `\`tart list\` still shows State ${lastState} ${tartBackendDefaults.listTimeoutMs} ms after \`tart run\` ended`,
        run ? { 'tart-run-suspend.log': await this.runOutput(run) } : {},
      );
    }
  }

  async delete(name: string, options: WaitOptions = {}): Promise<void> {
    const result = await this.tart(['delete', name], { ...options, allowFailure: true });
    if (result.exitCode === 0 || /does not exist/.test(result.stderr)) return;
    throw new HostCommandError(result.command, result.exitCode, tail(result.stderr, 400), result.durationMs);
  }

  /** `tart exec NAME ARGV...` (tart 2.27+): through the guest agent, so it needs no guest network. */
  agentExec(name: string, argv: readonly string[], options: WaitOptions = {}): Promise<HostCommandRecord> {
    return this.tart(['exec', name, ...argv], { ...options, allowFailure: true });
  }

  /** The environment tart runs with: the process's, with the backend's own on top. */
  get environment(): NodeJS.ProcessEnv {
    return { ...process.env, ...this.options.env };
  }

  async imageDigest(image: string, options: WaitOptions = {}): Promise<string | undefined> {
    // `tart fqn` (hidden) names a cached remote image by digest; a local name is echoed back.
    const result = await this.tart(['fqn', image], { ...options, allowFailure: true });
    const fqn = result.stdout.trim();
    return result.exitCode === 0 && fqn.includes('@sha256:') ? fqn : undefined;
  }

  async list(options: WaitOptions = {}): Promise<VmInfo[]> {
    const result = await this.tart(['list', '--source', 'local', '--format', 'json'], options);
    return parseTartList(result.stdout);
  }

  /** The failure of a `tart run` that already ended (VZError on boot, VM limit), if it did. */
  private async runFailure(name: string): Promise<Error | undefined> {
    const run = this.running.get(name);
    if (!run || run.process.exitCode === undefined) return undefined;
    return new HostCommandError(
      run.process.command,
      run.process.exitCode,
      tail(await this.runOutput(run), 400),
      0,
    );
  }

  /** What this run of `tart run` printed: its part of the log file. */
  private async runOutput(run: RunRecord): Promise<string> {
    const log = await readFile(run.logFile).catch(() => Buffer.alloc(0));
    return log.subarray(run.logOffset).toString('utf8');
  }

  private tart(
    args: string[],
    options: WaitOptions & { allowFailure?: boolean } = {},
  ): Promise<HostCommandRecord> {
    return runHostCommand(this.tartBin, args, {
      env: this.options.env,
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? tartBackendDefaults.commandTimeoutMs,
      allowFailure: options.allowFailure,
      onRecord: (record) => this.emit(record),
    });
  }

  private emit(record: HostCommandRecord): void {
    for (const listener of this.listeners) listener(record);
  }
}

/** Reads `tart list --format json`: an array whose objects have their keys in any order. */
export function parseTartList(text: string): VmInfo[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`Cannot read \`tart list --format json\` output: not JSON: ${tail(text, 200)}`, {
      cause: error,
    });
  }
  if (!Array.isArray(parsed))
    throw new Error(`Cannot read \`tart list --format json\`: expected an array, got ${tail(text, 200)}`);
  return parsed.map((entry: Record<string, unknown>) => {
    const state = entry.State;
    if (
      typeof entry.Name !== 'string' ||
      (state !== 'running' && state !== 'suspended' && state !== 'stopped')
    ) {
      throw new Error(
        `Cannot read \`tart list\` entry: expected Name and State, got ${JSON.stringify(entry)}`,
      );
    }
    return { name: entry.Name, state };
  });
}
