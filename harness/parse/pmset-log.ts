import { type LineParser, type ParseOptions, type ParseOutput, parseWith } from './line-parser.ts';
import { rowReader } from './row-loop.ts';

export type PmsetEventKind = 'sleep' | 'wake' | 'darkwake' | 'other';

/** One event line of `pmset -g log`. */
export interface PmsetEvent {
  /** ISO 8601 with offset, e.g. `2021-01-21T18:56:45+01:00`. */
  readonly timestamp: string;
  /** Domain column as printed, e.g. `Sleep`, `Wake`, `DarkWake`, `Assertions`, `Wake Requests`. */
  readonly domain: string;
  /** From the domain: `Sleep` is sleep, `Wake` wake (also "DarkWake to FullWake"), `DarkWake` darkwake. */
  readonly kind: PmsetEventKind;
  readonly message: string;
  /** From the Duration column (`16 secs`), null when empty. */
  readonly durationSeconds: number | null;
}

export interface PmsetLog {
  readonly events: PmsetEvent[];
}

const KIND = 'pmset-log';
const COMMAND = 'pmset -g log';
const EVENT = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) ([+-])(\d\d)(\d\d) (.*)$/;
const DURATION = /^(\d{1,9}) secs$/;
// When a page turned the TAB before the Duration column into spaces, the duration ends the message.
const TRAILING_DURATION = /\s(\d{1,9}) secs$/;
// Lines around the events: the boot summary, column titles, underlines, UUIDs, totals.
const SKIPPED = [
  /^Sleep\/Wakes since boot/,
  /^Time stamp\s+Domain\s+Message/,
  /^=+\s+=+/,
  /^UUID:/,
  /^Total /,
  /^(?:Wake|Sleep|Dark ?Wake)[^:]* since boot/,
];
const KNOWN_DOMAINS = [
  'PM Client Acks',
  'Wake Requests',
  'HibernateStats',
  'Notification',
  'WakeDetails',
  'Assertions',
  'DarkWake',
  'Kernel Client Acks',
  'Sleep',
  'Wake',
  'Start',
];

/** The line parser behind parsePmsetLog; events go to the `events` list. */
export function pmsetLogReader(out: ParseOutput): LineParser<PmsetLog> {
  const rows = rowReader(out, {
    kind: KIND,
    command: COMMAND,
    list: 'events',
    expected: 'an event "<yyyy-mm-dd hh:mm:ss +zzzz> <Domain> <TAB><Message>"',
    // Indented lines continue the previous event (detail lines of some domains); nothing to keep.
    skip: (line) => {
      const trimmed = line.text.trim();
      return trimmed === '' || /^\s/.test(line.text) || SKIPPED.some((pattern) => pattern.test(trimmed));
    },
    row: (line) => parseEvent(line.text),
  });
  return { line: (line) => rows.line(line), end: () => ({ events: out.list<PmsetEvent>('events') }) };
}

/** Parses `pmset -g log` into events; header, `UUID:` and total lines are skipped. */
export function parsePmsetLog(text: string, options?: ParseOptions): PmsetLog {
  return parseWith(pmsetLogReader, text, { kind: KIND, command: COMMAND }, options);
}

function parseEvent(text: string): PmsetEvent | null {
  const match = EVENT.exec(text);
  if (match === null) return null;
  const [, date, time, sign, offsetHours, offsetMinutes, rest] = match as unknown as string[];
  const split = splitDomain(rest!);
  if (split === null) return null;
  const fields = split.rest.split('\t').map((field) => field.trim());
  let message = fields[0] ?? '';
  let durationSeconds: number | null = null;
  const durationField = DURATION.exec(fields[1] ?? '');
  const trailing = TRAILING_DURATION.exec(message);
  if (durationField !== null) durationSeconds = Number(durationField[1]);
  else if (fields.length === 1 && trailing !== null) {
    durationSeconds = Number(trailing[1]);
    message = message.slice(0, trailing.index).trimEnd();
  }
  return {
    timestamp: `${date}T${time}${sign}${offsetHours}:${offsetMinutes}`,
    domain: split.domain,
    kind: toKind(split.domain),
    message,
    durationSeconds,
  };
}

function splitDomain(rest: string): { domain: string; rest: string } | null {
  const tab = rest.indexOf('\t');
  if (tab >= 0) {
    const domain = rest.slice(0, tab).trim();
    return domain === '' ? null : { domain, rest: rest.slice(tab + 1) };
  }
  // TABs expanded: the domain is padded to 20 columns, so two or more spaces follow it.
  const gap = /\S {2,}/.exec(rest);
  if (gap !== null) return { domain: rest.slice(0, gap.index + 1), rest: rest.slice(gap.index + 1) };
  // Whitespace collapsed by a web page: only a known domain name can be told from the message.
  const known = KNOWN_DOMAINS.find((domain) => rest.startsWith(`${domain} `));
  return known === undefined ? null : { domain: known, rest: rest.slice(known.length) };
}

function toKind(domain: string): PmsetEventKind {
  if (domain === 'Sleep') return 'sleep';
  if (domain === 'Wake') return 'wake';
  if (domain === 'DarkWake') return 'darkwake';
  return 'other';
}
