import { JsonObjectScanner } from './json-object-scanner.ts';
import {
  type LineParser,
  type ParseOptions,
  type ParseOutput,
  type ParseWarningCode,
  parseWith,
} from './line-parser.ts';
import { ParseError } from './parse-error.ts';

/** One entry of `log show` / `log stream`, whatever the style. */
export interface UnifiedLogEntry {
  /** ISO 8601: `2021-01-18T18:53:37.342822+00:00`; compact style prints no offset, so none here. */
  readonly timestamp: string;
  /** Process name; in JSON the last component of `processImagePath`. */
  readonly process: string;
  /**
   * Only with `--source`: the image that logged the entry, printed in angle brackets before the
   * process (`<sysextd> sysextd: ...`); may carry a symbol (`<libxpc.dylib`_xpc_connection_call>`).
   */
  readonly sender?: string;
  readonly pid: number | null;
  /** Empty when the entry has none. */
  readonly subsystem: string;
  /** Empty when the entry has none (sysextd prints `[com.apple.networkextension:]`). */
  readonly category: string;
  /** `Default`, `Info`, `Debug`, `Error`, `Fault`, `Activity`, ... */
  readonly type: string;
  /** The message text; continuation lines of a multi-line message are joined with `\n`. */
  readonly message: string;
}

export type UnifiedLogStyle = 'default' | 'compact' | 'json' | 'ndjson';

export interface UnifiedLog {
  /** Null when the input held no entry to tell the style by. */
  readonly style: UnifiedLogStyle | null;
  readonly entries: UnifiedLogEntry[];
}

/** Bounds on what the reader holds, so that a stream of any length runs in constant memory. */
export interface UnifiedLogLimits {
  /**
   * Longest message kept; further continuation lines of that entry are dropped.
   * @default 1048576
   */
  readonly maxMessageChars: number;
  /**
   * Longest JSON object accepted; a longer one is a ParseError.
   * @default 4194304
   */
  readonly maxObjectChars: number;
}

export const unifiedLogLimitDefaults: UnifiedLogLimits = {
  maxMessageChars: 1 << 20,
  maxObjectChars: 1 << 22,
};

const KIND = 'unified-log';
const COMMAND = 'log show';

const DATE_TIME = String.raw`(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d{1,9})?)`;
const DEFAULT_ROW = new RegExp(
  String.raw`^${DATE_TIME}([+-]\d\d)(\d\d)\s+0x[0-9a-fA-F]+\s+(\S+)\s+0x[0-9a-fA-F]+\s+(\d{1,9})\s+\d{1,9}(?:\s+(.*))?$`,
);
const COMPACT_ROW = new RegExp(
  String.raw`^${DATE_TIME}(?:([+-]\d\d)(\d\d))?\s+([A-Z][a-z]?)\s+(.+?)\[(\d{1,9}):[0-9a-fA-F]+\](?: (.*))?$`,
);
// `<process>: (<library>) [<subsystem>:<category>] <text>`; library and brackets are optional.
const DEFAULT_MESSAGE = /^(?:<([^<>]*)> )?(.*?): (?:\([^()]*\) )?(?:\[([^\]:\s]*):([^\]]*)\] ?)?([\s\S]*)$/;
// Compact style has the process in its own column: `(<library>) [<subsystem>:<category>] <text>`.
const COMPACT_MESSAGE = /^(?:\([^()]*\) )?(?:\[([^\]:\s]*):([^\]]*)\] ?)?([\s\S]*)$/;
const DEFAULT_HEADER = /^Timestamp\s+Thread\s+Type\s+Activity\s+PID\s+TTL$/;
const COMPACT_HEADER = /^Timestamp\s+Ty\s+Process\[PID:TID\]$/;
const PREAMBLE = /^(?:Filtering the log data using |Skipping (?:info|debug)|Skipping info and debug)/;
const FOOTER_RULE = /^-{10,}$/;
const COMPACT_TYPES: Readonly<Record<string, string>> = {
  Df: 'Default',
  In: 'Info',
  I: 'Info',
  Db: 'Debug',
  D: 'Debug',
  E: 'Error',
  Er: 'Error',
  Fa: 'Fault',
  F: 'Fault',
  A: 'Activity',
};
const EVENT_TYPES: Readonly<Record<string, string>> = {
  activityCreateEvent: 'Activity',
  activityTransitionEvent: 'Activity',
  signpostEvent: 'Signpost',
  timesyncEvent: 'Timesync',
  stateEvent: 'State',
  userActionEvent: 'UserAction',
  lossEvent: 'Loss',
};

interface PendingEntry {
  timestamp: string;
  process: string;
  sender?: string;
  pid: number | null;
  subsystem: string;
  category: string;
  type: string;
  message: string;
  /** Which row pattern made the entry; decides the style of the output. */
  readonly style: 'default' | 'compact';
}

/**
 * Reads unified-log output line by line in any of the four styles. Holds at most one entry (the one
 * whose continuation lines may still come) and one JSON object, so `parseUnifiedLogStream` can feed
 * it an endless stream.
 */
export class UnifiedLogReader {
  private detected: UnifiedLogStyle | null = null;
  private pending: PendingEntry | null = null;
  private pendingFull = false;
  private afterFooter = false;
  private readonly scanner: JsonObjectScanner;

  private lastTime = '';
  private lastLine = 0;

  constructor(
    private readonly limits: UnifiedLogLimits = unifiedLogLimitDefaults,
    /** Told what a paste lacks: a cut last line, an unfinished JSON object, time going back. */
    private readonly warn: (code: ParseWarningCode, line: number, message: string) => void = () => {},
  ) {
    this.scanner = new JsonObjectScanner(limits.maxObjectChars);
  }

  get style(): UnifiedLogStyle | null {
    return this.detected;
  }

  /** Reads one line (without its line ending); returns the entries it completed. */
  line(text: string, number: number, mayBeCut: boolean): UnifiedLogEntry[] {
    this.lastLine = number;
    return this.ordered(this.read(text, number, mayBeCut), number);
  }

  private read(text: string, number: number, mayBeCut: boolean): UnifiedLogEntry[] {
    if (this.afterFooter) return [];
    // ndjson (`log stream --style ndjson`): a line that is one whole object goes to JSON.parse at
    // once; scanning it character by character first cost a quarter of the time. Anything else
    // (two objects on a line, an object over several lines) falls back to the scanner.
    if (this.detected === 'ndjson' && !this.scanner.inObject && isWholeObjectLine(text)) {
      const value = parseObject(text);
      // The scanner hands over the object without the blanks around it; so does this path.
      const object = text.charCodeAt(0) === 123 ? text : text.trim();
      if (value !== undefined) return [fromJsonValue(value, object, number)];
    }
    const trimmed = text.trim();
    if (this.scanner.inObject || (this.pending === null && /^[[{]/.test(trimmed)) || this.isJson()) {
      if (!this.scanner.inObject && (trimmed === '' || PREAMBLE.test(trimmed))) return [];
      return this.readJson(text, number);
    }
    if (trimmed === '') return [];
    if (PREAMBLE.test(trimmed) || DEFAULT_HEADER.test(trimmed) || COMPACT_HEADER.test(trimmed)) {
      if (DEFAULT_HEADER.test(trimmed)) this.detected ??= 'default';
      if (COMPACT_HEADER.test(trimmed)) this.detected ??= 'compact';
      return this.flush();
    }
    if (FOOTER_RULE.test(trimmed)) {
      // The summary after the rule ("Log - Default: 0, Info: ...") is not made of entries.
      this.afterFooter = true;
      return this.flush();
    }
    const row = this.detected !== 'compact' ? DEFAULT_ROW.exec(text) : null;
    const compact = row === null && this.detected !== 'default' ? COMPACT_ROW.exec(text) : null;
    if (row !== null || compact !== null) {
      const done = this.flush();
      this.pending = row !== null ? fromDefaultRow(row) : fromCompactRow(compact!);
      this.detected ??= this.pending.style;
      return done;
    }
    // A cut-off last line that is no row would only corrupt the previous entry's message.
    if (mayBeCut) {
      this.warn(
        'truncated',
        number,
        `the last line is cut and was dropped: ${JSON.stringify(text.slice(0, 80))}`,
      );
      return [];
    }
    if (this.pending !== null) {
      this.appendContinuation(text);
      return [];
    }
    throw new ParseError({
      kind: KIND,
      command: COMMAND,
      line: number,
      expected: 'a log entry "<yyyy-mm-dd hh:mm:ss.ffffff+zzzz> ..." or a "Timestamp ..." header',
      got: text,
    });
  }

  /** Ends the input: returns the entry still held. An unfinished JSON object is dropped. */
  end(): UnifiedLogEntry[] {
    if (this.scanner.inObject) {
      this.warn('truncated', this.lastLine, 'the input ends inside a JSON object: that entry was dropped');
    }
    return this.ordered(this.flush(), this.lastLine);
  }

  // ndjson pasted from several sources, or `log show` of several archives, goes back in time.
  private ordered(entries: UnifiedLogEntry[], number: number): UnifiedLogEntry[] {
    for (const entry of entries) {
      if (entry.timestamp < this.lastTime && sameOffset(entry.timestamp, this.lastTime)) {
        this.warn('out-of-order', number, `entry at ${entry.timestamp} comes after one at ${this.lastTime}`);
      }
      this.lastTime = entry.timestamp;
    }
    return entries;
  }

  private isJson(): boolean {
    return this.detected === 'json' || this.detected === 'ndjson';
  }

  private readJson(text: string, number: number): UnifiedLogEntry[] {
    const { objects, problem } = this.scanner.feed(text, number);
    const entries = objects.map((object) => {
      this.detected ??= object.inArray ? 'json' : 'ndjson';
      return fromJson(object.text, object.line);
    });
    if (problem !== null) {
      throw new ParseError({
        kind: KIND,
        command: COMMAND,
        line: problem.line,
        expected: problem.expected,
        got: text,
      });
    }
    return entries;
  }

  private appendContinuation(text: string): void {
    const pending = this.pending!;
    if (this.pendingFull) return;
    if (pending.message.length + text.length + 1 > this.limits.maxMessageChars) {
      this.pendingFull = true;
      return;
    }
    pending.message += `\n${text}`;
  }

  private flush(): UnifiedLogEntry[] {
    const pending = this.pending;
    this.pending = null;
    this.pendingFull = false;
    if (pending === null) return [];
    const { style: _style, ...entry } = pending;
    return [entry];
  }
}

/** The line parser behind parseUnifiedLog; entries go to the `entries` list. */
export function unifiedLogReader(
  out: ParseOutput,
  limits: UnifiedLogLimits = unifiedLogLimitDefaults,
): LineParser<UnifiedLog> {
  const reader = new UnifiedLogReader(limits, (code, line, message) => out.warn(code, line, message));
  return {
    line(line) {
      for (const entry of reader.line(line.text, line.number, line.mayBeCut)) out.push('entries', entry);
    },
    end() {
      for (const entry of reader.end()) out.push('entries', entry);
      return { style: reader.style, entries: out.list<UnifiedLogEntry>('entries') };
    },
  };
}

/** Parses `log show` / `log stream` output in default, compact, json or ndjson style. */
export function parseUnifiedLog(
  text: string,
  limits: UnifiedLogLimits = unifiedLogLimitDefaults,
  options?: ParseOptions,
): UnifiedLog {
  return parseWith((out) => unifiedLogReader(out, limits), text, { kind: KIND, command: COMMAND }, options);
}

// Comparing ISO strings is comparing times only when both carry the same offset (or none).
function sameOffset(a: string, b: string): boolean {
  return a.slice(-6) === b.slice(-6) || (!/[+-]\d\d:\d\d$/.test(a) && !/[+-]\d\d:\d\d$/.test(b));
}

function isoTimestamp(date: string, time: string, offsetHours?: string, offsetMinutes?: string): string {
  return offsetHours === undefined ? `${date}T${time}` : `${date}T${time}${offsetHours}:${offsetMinutes}`;
}

function fromDefaultRow(match: RegExpExecArray): PendingEntry {
  const [, date, time, offsetHours, offsetMinutes, type, pid, rest] = match;
  const message = DEFAULT_MESSAGE.exec(rest ?? '');
  return {
    style: 'default',
    timestamp: isoTimestamp(date!, time!, offsetHours, offsetMinutes),
    process: message?.[2] ?? '',
    ...(message?.[1] === undefined ? {} : { sender: message[1] }),
    pid: Number(pid),
    subsystem: message?.[3] ?? '',
    category: message?.[4] ?? '',
    type: type!,
    message: message?.[5] ?? rest ?? '',
  };
}

function fromCompactRow(match: RegExpExecArray): PendingEntry {
  const [, date, time, offsetHours, offsetMinutes, type, process, pid, rest] = match;
  const message = COMPACT_MESSAGE.exec(rest ?? '');
  return {
    style: 'compact',
    timestamp: isoTimestamp(date!, time!, offsetHours, offsetMinutes),
    process: process!,
    pid: Number(pid),
    subsystem: message?.[1] ?? '',
    category: message?.[2] ?? '',
    type: COMPACT_TYPES[type!] ?? type!,
    message: message?.[3] ?? rest ?? '',
  };
}

const JSON_TIMESTAMP = new RegExp(String.raw`^${DATE_TIME}([+-]\d\d)(\d\d)$`);

// `{` first and `}` last, ignoring blanks around: the shape of an ndjson line.
function isWholeObjectLine(text: string): boolean {
  let first = 0;
  let last = text.length - 1;
  while (first <= last && (text.charCodeAt(first) === 32 || text.charCodeAt(first) === 9)) first++;
  while (last >= first && (text.charCodeAt(last) === 32 || text.charCodeAt(last) === 9)) last--;
  return text.charCodeAt(first) === 123 && text.charCodeAt(last) === 125;
}

/** The object a line holds, or undefined when the line is not exactly one JSON object. */
function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function fromJson(text: string, line: number): UnifiedLogEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    failJson(text, line, 'a valid JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return failJson(text, line, 'a JSON object');
  }
  return fromJsonValue(value as Record<string, unknown>, text, line);
}

function failJson(text: string, line: number, expected: string): never {
  throw new ParseError({ kind: KIND, command: COMMAND, line, expected, got: text.split('\n', 1)[0] ?? '' });
}

function fromJsonValue(record: Record<string, unknown>, text: string, line: number): UnifiedLogEntry {
  const timestamp = typeof record.timestamp === 'string' ? JSON_TIMESTAMP.exec(record.timestamp) : null;
  if (timestamp === null) {
    return failJson(text, line, 'a "timestamp" of the form "yyyy-mm-dd hh:mm:ss.ffffff+zzzz"');
  }
  // Module-level helpers, not closures: this runs once per entry of logs of millions of entries.
  const imagePath = stringField(record, 'processImagePath');
  const eventType = stringField(record, 'eventType');
  return {
    timestamp: isoTimestamp(timestamp[1]!, timestamp[2]!, timestamp[3], timestamp[4]),
    // `log` prints no process name in JSON: it is the last component of the image path.
    process:
      imagePath !== '' ? imagePath.slice(imagePath.lastIndexOf('/') + 1) : stringField(record, 'process'),
    pid: typeof record.processID === 'number' ? record.processID : null,
    subsystem: stringField(record, 'subsystem'),
    category: stringField(record, 'category'),
    type: stringField(record, 'messageType') || EVENT_TYPES[eventType] || eventType,
    message: stringField(record, 'eventMessage'),
  };
}

function stringField(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  return typeof value === 'string' ? value : '';
}
