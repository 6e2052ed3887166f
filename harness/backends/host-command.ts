// The only module that imports zx: every host-side process (tart and friends) starts here.
import { closeSync, openSync } from 'node:fs';
import { $, type ProcessPromise } from 'zx';
import { combineSignals, isTimeoutReason } from '../abort.ts';
import { HostCommandError, tail } from '../errors.ts';

export interface HostCommandRecord {
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  durationMs: number;
  startedAt: Date;
  timedOut: boolean;
}

export interface HostCommandOptions {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** @default 300000 */
  timeoutMs?: number;
  /** Return a non-zero exit instead of throwing HostCommandError. @default false */
  allowFailure?: boolean;
  onRecord?: (record: HostCommandRecord) => void;
}

export function describeCommand(bin: string, args: readonly string[]): string {
  return [bin, ...args]
    .map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : JSON.stringify(part)))
    .join(' ');
}

/** Runs a host command to completion and returns its output. */
export async function runHostCommand(
  bin: string,
  args: readonly string[],
  options: HostCommandOptions = {},
): Promise<HostCommandRecord> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const signal = combineSignals({ signal: options.signal, timeoutMs });
  const command = describeCommand(bin, args);
  const startedAt = new Date();
  const started = performance.now();
  let record: HostCommandRecord;
  try {
    const output = await $({
      env: { ...process.env, ...options.env },
      signal,
      nothrow: true,
      quiet: true,
    })`${bin} ${args}`;
    record = {
      command,
      stdout: output.stdout,
      stderr: output.stderr,
      exitCode: output.exitCode,
      durationMs: Math.round(performance.now() - started),
      startedAt,
      timedOut: false,
    };
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    const timedOut = isTimeoutReason(signal?.reason);
    options.onRecord?.({ command, stdout: '', stderr: '', exitCode: null, durationMs, startedAt, timedOut });
    if (!timedOut && options.signal?.aborted) throw options.signal.reason;
    throw new HostCommandError(
      command,
      null,
      timedOut ? `timed out after ${timeoutMs} ms` : String(error),
      durationMs,
      {
        cause: error,
      },
    );
  }
  options.onRecord?.(record);
  if (record.exitCode !== 0 && !options.allowFailure) {
    throw new HostCommandError(
      command,
      record.exitCode,
      tail(record.stderr || record.stdout, 400),
      record.durationMs,
    );
  }
  return record;
}

export interface BackgroundProcess {
  readonly pid: number | undefined;
  readonly command: string;
  /** Resolves when the process ends, with its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** The exit code once it ended, undefined while it runs. */
  readonly exitCode: number | null | undefined;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Starts a long-running host process (`tart run` blocks while the VM runs) with its output
 * appended to `logFile`. It gets its own process group so that Ctrl-C in the terminal reaches
 * only the harness, which then tears the VM down in order.
 */
export function startBackgroundProcess(
  bin: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; logFile: string },
): BackgroundProcess {
  const fd = openSync(options.logFile, 'a');
  let child: ProcessPromise;
  try {
    child = $({
      env: { ...process.env, ...options.env },
      detached: true,
      nothrow: true,
      quiet: true,
      stdio: ['ignore', fd, fd],
    })`${bin} ${args}`;
  } finally {
    closeSync(fd);
  }
  let exitCode: number | null | undefined;
  const exited = child.then(
    (output) => {
      exitCode = output.exitCode;
      return exitCode;
    },
    () => {
      exitCode = null;
      return null;
    },
  );
  return {
    pid: child.pid,
    command: describeCommand(bin, args),
    exited,
    get exitCode() {
      return exitCode;
    },
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (exitCode !== undefined || child.pid === undefined) return;
      try {
        process.kill(child.pid, signal);
      } catch {
        // Already gone: nothing to stop.
      }
    },
  };
}
