import {
  type LineParser,
  type ParseOptions,
  type ParseOutput,
  parseWith,
  warnCutLine,
} from './line-parser.ts';
import { ParseError } from './parse-error.ts';

/** One assertion under "Listed by owning process:". */
export interface ProcessAssertion {
  readonly pid: number;
  /** Null on older releases, which print `pid 1827:` without the name. */
  readonly process: string | null;
  /** The bracketed id, e.g. `0x0000001200098083`. */
  readonly id: string;
  /** How long it has been held, `hh:mm:ss` as printed; null on older releases, which do not print it. */
  readonly age: string | null;
  /** Assertion type, e.g. `PreventUserIdleSystemSleep`. */
  readonly type: string;
  /** The `named:` string without quotes, or null. */
  readonly name: string | null;
  /** Indented lines that follow, e.g. `Timeout will fire in 600 secs Action=TimeoutActionRelease`. */
  readonly details: string[];
}

export interface KernelAssertion {
  readonly id: number | null;
  readonly level: number | null;
  /** Every `key=value` of the line; values may hold spaces up to the next key. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface PmsetAssertions {
  /** The first line's time stamp as ISO 8601 with offset, or null when absent. */
  readonly timestamp: string | null;
  /** Only when the first line is a locale-formatted time (older releases): that line as printed. */
  readonly localTime?: string;
  /** "Assertion status system-wide": type to level. */
  readonly systemWide: Readonly<Record<string, number>>;
  readonly byProcess: ProcessAssertion[];
  /** The value after "Kernel Assertions:", e.g. `0xc=USB,BT-HID`; null when absent. */
  readonly kernelSummary: string | null;
  readonly kernel: KernelAssertion[];
  /** Names after "Idle sleep preventers:". */
  readonly idleSleepPreventers: string[];
}

const KIND = 'pmset-assertions';
const COMMAND = 'pmset -g assertions';
const TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) ([+-]\d\d)(\d\d)$/;
// Older releases print the time in the user's locale: `7/11/12 10:45:33 PM PDT`, `13.08.15 19:19:28 MESZ`.
const LOCALE_TIME =
  /^\d{1,4}[./-]\d{1,2}[./-]\d{1,4},? \d{1,2}:\d\d(?::\d\d)?(?: ?[AP]M)?(?: [A-Z]{2,5}| [+-]\d{4})?$/;
const SYSTEM_WIDE_ROW = /^(\S+)\s+(\d{1,9})$/;
// Character classes instead of `.*` before the literal parts keep matching linear on garbage. Older
// releases print neither the process name nor the age: `pid 1827: [0x...] <type> named: "..."`.
const PROCESS_ROW =
  /^pid (\d{1,9})(?:\(([^)]*)\))?: \[([^\]]*)\](?: (\d{1,4}:\d\d:\d\d))? (\S+)(?: named: "(.*)")?$/;
const KERNEL_FIELD = /(\S+?)=/g;
// Bounds for a paste of any size: assertion types, detail lines of one assertion.
const MAX_TYPES = 10_000;
const MAX_DETAILS = 100;

type Section = 'start' | 'system-wide' | 'by-process' | 'kernel' | 'done';

/** The line parser behind parsePmsetAssertions; assertions go to the `byProcess` and `kernel` lists. */
export function pmsetAssertionsReader(out: ParseOutput): LineParser<PmsetAssertions> {
  let timestamp: string | null = null;
  let localTime: string | null = null;
  const systemWide = new Map<string, number>();
  let kernelSummary: string | null = null;
  let idleSleepPreventers: string[] = [];
  let section: Section = 'start';
  // The assertion whose detail lines may still come; pushed when the next line is not one.
  let last: ProcessAssertion | null = null;
  let cut = false;

  const flush = (): void => {
    if (last !== null) out.push('byProcess', last);
    last = null;
  };

  // Takes one non-blank line; returns what was expected when the line does not fit, else null.
  const consume = (raw: string, number: number): string | null => {
    const line = raw.trim();
    if (section === 'start' && timestamp === null && localTime === null) {
      const stamp = TIMESTAMP.exec(line);
      if (stamp !== null) {
        timestamp = `${stamp[1]}T${stamp[2]}${stamp[3]}:${stamp[4]}`;
        return null;
      }
      if (LOCALE_TIME.test(line)) {
        localTime = line;
        out.warn(
          'older-layout',
          number,
          `the time is printed in a locale format (${line}): timestamp is null, localTime keeps it`,
        );
        return null;
      }
    }
    if (section === 'by-process' && last !== null && /^\s{4,}|^\t/.test(raw) && !line.startsWith('pid ')) {
      const details = (last as ProcessAssertion).details;
      if (details.length < MAX_DETAILS) details.push(line);
      return null;
    }
    flush();
    if (line === 'Assertion status system-wide:') section = 'system-wide';
    else if (line === 'Listed by owning process:') section = 'by-process';
    else if (line.startsWith('Kernel Assertions:')) {
      section = 'kernel';
      kernelSummary = line.slice('Kernel Assertions:'.length).trim();
    } else if (line.startsWith('Idle sleep preventers:')) {
      section = 'done';
      idleSleepPreventers = line
        .slice('Idle sleep preventers:'.length)
        .split(/[\s,]+/)
        .filter((name) => name !== '')
        .slice(0, MAX_DETAILS);
    } else if (section === 'system-wide') {
      const match = SYSTEM_WIDE_ROW.exec(line);
      if (match === null) return 'a row "<AssertionType> <level>"';
      if (systemWide.size < MAX_TYPES || systemWide.has(match[1]!))
        systemWide.set(match[1]!, Number(match[2]));
      else
        out.warn('too-many-keys', number, `more than ${MAX_TYPES} assertion types: ${match[1]} was dropped`);
    } else if (section === 'by-process') {
      const match = PROCESS_ROW.exec(line);
      if (match === null) return 'a row "pid <pid>(<process>): [<id>] <hh:mm:ss> <type> named: "<name>""';
      if (match[2] === undefined || match[4] === undefined) {
        out.warn(
          'older-layout',
          number,
          'an assertion without process name or age (older macOS): they are null',
        );
      }
      last = {
        pid: Number(match[1]),
        process: match[2] ?? null,
        id: match[3]!,
        age: match[4] ?? null,
        type: match[5]!,
        name: match[6] ?? null,
        details: [],
      };
    } else if (section === 'kernel') {
      if (!line.includes('=')) return 'a kernel assertion "id=<n> level=<n> ..."';
      const fields = parseKernelFields(line);
      out.push('kernel', {
        id: toInt(fields.get('id')),
        level: toInt(fields.get('level')),
        fields: Object.fromEntries(fields),
      });
    } else return 'a section title such as "Assertion status system-wide:"';
    return null;
  };

  return {
    line(line) {
      const trimmed = line.text.trim();
      // Posters mark the lines they left out with "..." (as in the forum pastes): nothing to read there.
      if (cut || trimmed === '' || trimmed === '...' || trimmed === '…') return;
      const expected = consume(line.text, line.number);
      if (expected === null) return;
      if (line.mayBeCut) {
        cut = true;
        warnCutLine(out, line);
        return;
      }
      throw new ParseError({ kind: KIND, command: COMMAND, line: line.number, expected, got: line.text });
    },
    end(lines) {
      flush();
      if (section === 'start' && (timestamp !== null || localTime !== null)) {
        out.warn('truncated', lines + 1, 'the paste ends after the time line: no assertions were read');
      } else if (section === 'start') {
        throw new ParseError({
          kind: KIND,
          command: COMMAND,
          line: lines + 1,
          expected: 'the title "Assertion status system-wide:"',
          got: null,
        });
      }
      return {
        timestamp,
        ...(localTime === null ? {} : { localTime }),
        systemWide: Object.fromEntries(systemWide),
        byProcess: out.list<ProcessAssertion>('byProcess'),
        kernelSummary,
        kernel: out.list<KernelAssertion>('kernel'),
        idleSleepPreventers,
      };
    },
  };
}

/** Parses `pmset -g assertions`. */
export function parsePmsetAssertions(text: string, options?: ParseOptions): PmsetAssertions {
  return parseWith(pmsetAssertionsReader, text, { kind: KIND, command: COMMAND }, options);
}

// `id=500  level=255 0x4=USB creat=14/11/2020 17:32 description=... owner=USB Receiver`: a value runs
// until the next `key=`, so "creat" keeps its time and "owner" its spaces.
function parseKernelFields(line: string): Map<string, string> {
  const fields = new Map<string, string>();
  const keys = [...line.matchAll(KERNEL_FIELD)].filter(
    // After any blank: a paste may carry the column gaps as TABs.
    (match) => match.index === 0 || /\s/.test(line[match.index - 1]!),
  );
  keys.forEach((match, index) => {
    const start = match.index + match[0].length;
    const end = keys[index + 1]?.index ?? line.length;
    fields.set(match[1]!, line.slice(start, end).trim());
  });
  return fields;
}

function toInt(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : null;
}
