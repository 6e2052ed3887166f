// The guest's unified log: every line the model emits goes to logd, which hands it to live
// `log stream` readers and persists what the subsystem's logging profile says (log/profiles.ts) to
// the store, <guest>/unified-log.ndjson, one JSON object per line with the fields `log show --style
// ndjson` prints (minus backtraces). Info and Debug lines of an unconfigured subsystem never reach
// the store, so `log show --info --debug` cannot see them (approval-and-power-facts §7).
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOTFS_DIR } from './disk.ts';
import { DEFAULT_MODE, isPersisted, loadProfiles, type SubsystemMode } from './log/profiles.ts';

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

export type LiveListener = (line: StoredLogLine) => void;

export function formatLogTimestamp(date: Date): string {
  const iso = date.toISOString(); // 2025-01-02T03:04:05.678Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000+0000`;
}

export class UnifiedLog {
  readonly file: string;
  readonly #rootfs: string;
  #tail: Promise<void> = Promise.resolve();
  #profiles: Promise<Map<string, SubsystemMode>> | undefined;
  readonly #listeners = new Set<LiveListener>();
  constructor(guestDir: string) {
    this.file = join(guestDir, UNIFIED_LOG_FILE);
    this.#rootfs = join(guestDir, ROOTFS_DIR);
  }

  /** Appends in call order; the returned promise settles when the lines are on disk. */
  write(bootUUID: string, ...lines: LogLine[]): Promise<void> {
    return this.writeAt(new Date(), bootUUID, lines);
  }

  /** As write, stamped with `now` (the guest clock, which may lag the host's). */
  writeAt(now: Date, bootUUID: string, lines: LogLine[]): Promise<void> {
    const stored = lines.map(
      (line): StoredLogLine => ({
        timestamp: formatLogTimestamp(now),
        eventType: 'logEvent',
        bootUUID,
        ...line,
      }),
    );
    // Readers that were live when the line was logged see it, whatever the store keeps.
    const listeners = [...this.#listeners];
    const next = this.#tail.then(async () => {
      for (const line of stored) for (const listener of listeners) listener(line);
      const profiles = await this.#loadedProfiles();
      const kept = stored.filter((line) =>
        isPersisted(profiles.get(line.subsystem) ?? DEFAULT_MODE, line.messageType),
      );
      if (kept.length > 0)
        await appendFile(this.file, `${kept.map((line) => JSON.stringify(line)).join('\n')}\n`);
    });
    // A failed append must not poison every later one.
    this.#tail = next.catch(() => {});
    return next;
  }

  /** Settles once every write issued so far is on disk. */
  flush(): Promise<void> {
    return this.#tail;
  }

  /** `log stream`: every line logged from now on, until the returned function is called. */
  subscribe(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The subsystem's mode (log config --status). */
  async modeOf(subsystem: string): Promise<SubsystemMode> {
    return (await this.#loadedProfiles()).get(subsystem) ?? { ...DEFAULT_MODE };
  }

  /**
   * `log config` changed a profile (undefined: reset). In call order with the lines, so a line logged
   * after the command returned is judged by the new mode.
   */
  setMode(subsystem: string, mode: SubsystemMode | undefined): Promise<void> {
    const next = this.#tail.then(async () => {
      const profiles = await this.#loadedProfiles();
      if (mode) profiles.set(subsystem, mode);
      else profiles.delete(subsystem);
    });
    this.#tail = next.catch(() => {});
    return next;
  }

  // logd reads the profiles once when it starts (a profile dropped in by hand applies from the next boot).
  #loadedProfiles(): Promise<Map<string, SubsystemMode>> {
    this.#profiles ??= loadProfiles(this.#rootfs);
    return this.#profiles;
  }
}
