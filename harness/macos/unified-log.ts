// Reads the guest's unified log with `log show --style ndjson` and parses it with the same parser
// as everything else (harness/parse/unified-log.ts).
import { parseUnifiedLog, type UnifiedLogEntry } from '../parse/unified-log.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import { shellCommand } from '../ssh/shell-quote.ts';

export interface LogShowOptions {
  /** `log show` predicate, e.g. `process == "sysextd"`. */
  predicate: string;
  /** Guest-local `YYYY-MM-DD HH:MM:SS` to start at (`--start`). */
  start?: string;
  /** Instead of `start`: how far back, e.g. `5m` (`--last`). */
  last?: string;
  signal?: AbortSignal;
  /** @default 60000 */
  timeoutMs?: number;
}

export interface LogShowResult {
  command: string;
  raw: string;
  entries: UnifiedLogEntry[];
}

export function logShowArgv(options: Pick<LogShowOptions, 'predicate' | 'start' | 'last'>): string[] {
  return [
    'log',
    'show',
    '--style',
    'ndjson',
    '--info',
    '--debug',
    ...(options.start ? ['--start', options.start] : []),
    ...(options.last && !options.start ? ['--last', options.last] : []),
    '--predicate',
    options.predicate,
  ];
}

export async function showUnifiedLog(guest: GuestSession, options: LogShowOptions): Promise<LogShowResult> {
  const argv = logShowArgv(options);
  const result = await guest.exec(argv, { signal: options.signal, timeoutMs: options.timeoutMs ?? 60_000 });
  return { command: shellCommand(argv), raw: result.stdout, entries: parseUnifiedLog(result.stdout).entries };
}

/** A string literal for a predicate: double quotes, with `\` and `"` escaped. */
export function predicateString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
