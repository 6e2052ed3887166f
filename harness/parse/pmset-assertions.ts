import { splitLines } from './lines.ts';
import { ParseError } from './parse-error.ts';

/** One assertion under "Listed by owning process:". */
export interface ProcessAssertion {
  readonly pid: number;
  readonly process: string;
  /** The bracketed id, e.g. `0x0000001200098083`. */
  readonly id: string;
  /** How long it has been held, `hh:mm:ss` as printed. */
  readonly age: string;
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
const SYSTEM_WIDE_ROW = /^(\S+)\s+(\d{1,9})$/;
// Character classes instead of `.*` before the literal parts keep matching linear on garbage.
const PROCESS_ROW = /^pid (\d{1,9})\(([^)]*)\): \[([^\]]*)\] (\S+) (\S+)(?: named: "(.*)")?$/;
const KERNEL_FIELD = /(\S+?)=/g;

type Section = 'start' | 'system-wide' | 'by-process' | 'kernel' | 'done';

/** Parses `pmset -g assertions`. */
export function parsePmsetAssertions(text: string): PmsetAssertions {
  let timestamp: string | null = null;
  const systemWide = new Map<string, number>();
  const byProcess: ProcessAssertion[] = [];
  const kernel: KernelAssertion[] = [];
  let kernelSummary: string | null = null;
  let idleSleepPreventers: string[] = [];
  let section: Section = 'start';
  let last: ProcessAssertion | null = null;

  // Takes one non-blank line; returns what was expected when the line does not fit, else null.
  const consume = (raw: string): string | null => {
    const line = raw.trim();
    const stamp = TIMESTAMP.exec(line);
    if (section === 'start' && stamp !== null) {
      timestamp = `${stamp[1]}T${stamp[2]}${stamp[3]}:${stamp[4]}`;
      return null;
    }
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
        .filter((name) => name !== '');
    } else if (section === 'system-wide') {
      const match = SYSTEM_WIDE_ROW.exec(line);
      if (match === null) return 'a row "<AssertionType> <level>"';
      systemWide.set(match[1]!, Number(match[2]));
    } else if (section === 'by-process') {
      const match = PROCESS_ROW.exec(line);
      if (match !== null) {
        last = {
          pid: Number(match[1]),
          process: match[2]!,
          id: match[3]!,
          age: match[4]!,
          type: match[5]!,
          name: match[6] ?? null,
          details: [],
        };
        byProcess.push(last);
      } else if (last !== null && /^\s{4,}|^\t/.test(raw)) (last as ProcessAssertion).details.push(line);
      else return 'a row "pid <pid>(<process>): [<id>] <hh:mm:ss> <type> named: "<name>""';
    } else if (section === 'kernel') {
      if (!line.includes('=')) return 'a kernel assertion "id=<n> level=<n> ..."';
      const fields = parseKernelFields(line);
      kernel.push({
        id: toInt(fields.get('id')),
        level: toInt(fields.get('level')),
        fields: Object.fromEntries(fields),
      });
    } else return 'a section title such as "Assertion status system-wide:"';
    return null;
  };

  for (const line of splitLines(text)) {
    if (line.text.trim() === '') continue;
    const expected = consume(line.text);
    if (expected === null) continue;
    if (line.mayBeCut) break;
    throw new ParseError({ kind: KIND, command: COMMAND, line: line.number, expected, got: line.text });
  }
  if (section === 'start') {
    throw new ParseError({
      kind: KIND,
      command: COMMAND,
      line: 1,
      expected: 'the title "Assertion status system-wide:"',
      got: null,
    });
  }
  return {
    timestamp,
    systemWide: Object.fromEntries(systemWide),
    byProcess,
    kernelSummary,
    kernel,
    idleSleepPreventers,
  };
}

// `id=500  level=255 0x4=USB creat=14/11/2020 17:32 description=... owner=USB Receiver`: a value runs
// until the next `key=`, so "creat" keeps its time and "owner" its spaces.
function parseKernelFields(line: string): Map<string, string> {
  const fields = new Map<string, string>();
  const keys = [...line.matchAll(KERNEL_FIELD)].filter(
    (match) => match.index === 0 || line[match.index - 1] === ' ',
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
