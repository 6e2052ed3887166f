// The only module that starts host processes (tart and friends). They are spawned without a
// shell: the pid we hold and signal is tart's own, not a bash wrapper's (real-mac-review.md item
// 18), so a timeout or a SIGKILL fallback reaches the process that holds the VM.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
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
    const output = await runToEnd(bin, args, { ...process.env, ...options.env }, signal);
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
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(bin, args, {
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', () => {
      exitCode = null;
      resolve(null);
    });
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    });
  });
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
        // The whole group: whatever the tool started dies with it.
        process.kill(-child.pid, signal);
      } catch {
        // Already gone: nothing to stop.
      }
    },
  };
}

/** Runs `bin` with no shell, collects its output, and kills it when `signal` aborts. */
function runToEnd(
  bin: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  signal: AbortSignal | undefined,
): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // An abort settles once the killed process has ended (bounded, should it hang in the kernel):
    // whatever comes next for the VM, a delete above all, must not race what it still does.
    let gaveUp: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGKILL');
      gaveUp = setTimeout(() => reject(signal?.reason), 5_000);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(gaveUp);
      reject(error);
    });
    child.once('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(gaveUp);
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode: code,
      });
    });
  });
}
