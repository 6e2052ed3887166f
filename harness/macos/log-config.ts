// Make the provider's Info/Debug lines reach the log store (real-mac-review §8): by default macOS
// keeps Info in memory only and drops Debug, so `log show --info --debug` misses a vendor's
// handleNewFlow lines on a healthy product. `sudo log config --subsystem <id> --mode
// "level:debug,persist:debug"` records a profile that lasts across reboots; `--status` reads it back.
//
// When it fails this is an error (LogPersistenceError), not a fallback to `log stream`: log config
// needs only root, which installing the build needed already, so a guest that refuses it is broken;
// and a stream would die with every SSH connection at the guest's sleep, leaving a gap in the very
// window the after-wake check reads.
import { LogPersistenceError } from '../errors.ts';
import { parseSubsystemLogMode, persistsLevel, type SubsystemLogMode } from '../parse/unified-log-config.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import { shellCommand } from '../ssh/shell-quote.ts';

export interface LogPersistenceOptions {
  /** The lowest message type that must reach the store. @default 'debug' */
  level?: 'info' | 'debug';
  signal?: AbortSignal;
  /** Per command. @default 30000 */
  timeoutMs?: number;
}

export const logPersistenceDefaults = { level: 'debug', timeoutMs: 30_000 } as const;

export interface LogPersistence {
  subsystem: string;
  level: 'info' | 'debug';
  mode: SubsystemLogMode;
  /** The commands and their output, for evidence. */
  transcript: string;
}

function statusArgv(subsystem: string): string[] {
  return ['sudo', '-n', 'log', 'config', '--status', '--subsystem', subsystem];
}

/** Reads the subsystem's mode back; throws LogPersistenceError unless `level` is persisted. */
export async function verifyLogPersistence(
  guest: GuestSession,
  subsystem: string,
  options: LogPersistenceOptions & { transcript?: string } = {},
): Promise<LogPersistence> {
  const level = options.level ?? logPersistenceDefaults.level;
  const argv = statusArgv(subsystem);
  const status = await guest.exec(argv, {
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? logPersistenceDefaults.timeoutMs,
    allowFailure: true,
  });
  const transcript = `${options.transcript ?? ''}$ ${shellCommand(argv)}\n${status.stdout}${status.stderr}[exit ${status.exitCode}]\n`;
  const mode = parseSubsystemLogMode(status.stdout);
  if (status.exitCode !== 0 || !mode || !persistsLevel(mode, level)) {
    const seen = mode ? mode.words.join(' ') : (status.stdout + status.stderr).trim() || 'nothing';
    throw new LogPersistenceError(
      guest.target,
      subsystem,
      `${level} messages must be collected and persisted; log config --status said: ${seen} (exit ${status.exitCode})`,
      { 'log-config.txt': transcript },
    );
  }
  return { subsystem, level, mode, transcript };
}

/** `sudo -n log config --subsystem <id> --mode "level:<l>,persist:<l>"`, then verified with --status. */
export async function persistSubsystemLogging(
  guest: GuestSession,
  subsystem: string,
  options: LogPersistenceOptions = {},
): Promise<LogPersistence> {
  const level = options.level ?? logPersistenceDefaults.level;
  const argv = [
    'sudo',
    '-n',
    'log',
    'config',
    '--subsystem',
    subsystem,
    '--mode',
    `level:${level},persist:${level}`,
  ];
  const set = await guest.exec(argv, {
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? logPersistenceDefaults.timeoutMs,
    allowFailure: true,
  });
  const transcript = `$ ${shellCommand(argv)}\n${set.stdout}${set.stderr}[exit ${set.exitCode}]\n`;
  if (set.exitCode !== 0)
    throw new LogPersistenceError(
      guest.target,
      subsystem,
      `log config exited ${set.exitCode}: ${(set.stderr || set.stdout).trim() || 'no output'}`,
      { 'log-config.txt': transcript },
    );
  return verifyLogPersistence(guest, subsystem, { ...options, level, transcript });
}
