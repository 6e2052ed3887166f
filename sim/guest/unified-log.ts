// The guest's unified log store: every line the model emits, one JSON object per line in
// <guest>/unified-log.ndjson, with the fields `log show --style ndjson` prints (minus backtraces).
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';

export const UNIFIED_LOG_FILE = 'unified-log.ndjson';

export type MessageType = 'Default' | 'Info' | 'Debug' | 'Error' | 'Fault';

export interface LogLine {
  process: string;
  pid: number;
  subsystem: string;
  category: string;
  messageType: MessageType;
  eventMessage: string;
  processImagePath: string;
}

export interface StoredLogLine extends LogLine {
  /** `YYYY-MM-DD HH:MM:SS.ffffff+0000`, the `log` timestamp format (the guest runs in UTC). */
  timestamp: string;
  eventType: 'logEvent';
  bootUUID: string;
}

export function formatLogTimestamp(date: Date): string {
  const iso = date.toISOString(); // 2025-01-02T03:04:05.678Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000+0000`;
}

export class UnifiedLog {
  readonly file: string;
  #tail: Promise<void> = Promise.resolve();
  constructor(guestDir: string) {
    this.file = join(guestDir, UNIFIED_LOG_FILE);
  }

  /** Appends in call order; the returned promise settles when the lines are on disk. */
  write(bootUUID: string, ...lines: LogLine[]): Promise<void> {
    return this.writeAt(new Date(), bootUUID, lines);
  }

  /** As write, stamped with `now` (the guest clock, which may lag the host's). */
  writeAt(now: Date, bootUUID: string, lines: LogLine[]): Promise<void> {
    const text = lines
      .map((line) =>
        JSON.stringify({ timestamp: formatLogTimestamp(now), eventType: 'logEvent', bootUUID, ...line }),
      )
      .join('\n');
    const next = this.#tail.then(() => appendFile(this.file, `${text}\n`));
    // A failed append must not poison every later one.
    this.#tail = next.catch(() => {});
    return next;
  }

  /** Settles once every write issued so far is on disk. */
  flush(): Promise<void> {
    return this.#tail;
  }
}
