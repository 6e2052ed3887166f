// VmBackend over the `tart` CLI (tart-cli.md): clone, set --random-mac, run in the background,
// ip polling, stop, delete, list. The same code drives real tart and the sim's fake tart.

import { readFile } from 'node:fs/promises';
import { HostCommandError, tail } from '../errors.ts';
import { doNotRetry, retryUntil } from '../retry.ts';
import type { SshCredentials, SshEndpoint } from '../ssh/guest-session.ts';
import {
  type BackgroundProcess,
  type HostCommandRecord,
  runHostCommand,
  startBackgroundProcess,
} from './host-command.ts';
import type { BackendDescription, StartOptions, VmBackend, VmInfo, WaitOptions } from './vm-backend.ts';

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
}

export const tartBackendDefaults = {
  sshPort: 22,
  credentials: { username: 'admin', password: 'admin' },
  cloneTimeoutMs: 3_600_000,
  ipTimeoutMs: 180_000,
  commandTimeoutMs: 120_000,
} as const;

export class TartBackend implements VmBackend {
  readonly name: string;
  private readonly tartBin: string;
  private readonly running = new Map<string, { process: BackgroundProcess; logFile: string }>();
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

  async clone(image: string, name: string, options: WaitOptions = {}): Promise<void> {
    await this.tart(['clone', image, name], {
      ...options,
      timeoutMs: options.timeoutMs ?? this.options.cloneTimeoutMs ?? tartBackendDefaults.cloneTimeoutMs,
    });
    // Clones share the golden image's MAC; a fresh one avoids DHCP lease collisions (tart-cli.md §8).
    await this.tart(['set', name, '--random-mac'], options);
  }

  async start(name: string, options: StartOptions): Promise<void> {
    const args = ['run', name, '--no-graphics', ...(options.suspendable ? ['--suspendable'] : [])];
    const process = startBackgroundProcess(this.tartBin, args, {
      env: this.options.env,
      logFile: options.logFile,
    });
    this.running.set(name, { process, logFile: options.logFile });
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
    // `tart run` of a suspended VM restores its snapshot.
    return this.start(name, { ...options, suspendable: true });
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
        // Quick at first (a warm or simulated VM has its lease at once), then once a second as tart does.
        intervalMs: 50,
        backoffFactor: 2,
        maxIntervalMs: 1000,
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
      await Promise.race([run.process.exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      run.process.kill('SIGKILL');
      this.running.delete(name);
    }
  }

  async suspend(name: string, options: WaitOptions = {}): Promise<void> {
    await this.tart(['suspend', name], options);
    const run = this.running.get(name);
    if (run) {
      await Promise.race([run.process.exited, new Promise((resolve) => setTimeout(resolve, 60_000).unref())]);
      this.running.delete(name);
    }
  }

  async delete(name: string, options: WaitOptions = {}): Promise<void> {
    const result = await this.tart(['delete', name], { ...options, allowFailure: true });
    if (result.exitCode === 0 || /does not exist/.test(result.stderr)) return;
    throw new HostCommandError(result.command, result.exitCode, tail(result.stderr, 400), result.durationMs);
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
    const log = await readFile(run.logFile, 'utf8').catch(() => '');
    return new HostCommandError(run.process.command, run.process.exitCode, tail(log, 400), 0);
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
