import { type LineParser, type ParseOptions, type ParseOutput, parseWith } from './line-parser.ts';
import { splitLines } from './lines.ts';
import { ParseError } from './parse-error.ts';

export interface SwVers {
  /** `macOS` (11+) or `Mac OS X` (older). */
  readonly productName: string;
  /** e.g. `14.2.1`; the first release of a major has no patch number (`10.13`). */
  readonly productVersion: string;
  /** Only when printed: the Rapid Security Response letter, e.g. `(a)` (macOS 13+). */
  readonly productVersionExtra?: string;
  readonly buildVersion: string;
}

/** What a tolerant read of a (possibly cut) paste found: a field not reached is null. */
export type SwVersRead = { readonly [K in keyof SwVers]-?: SwVers[K] | null };

const KIND = 'sw-vers';
const COMMAND = 'sw_vers';
// macOS 11+ puts two TABs after "ProductName:", older releases one; pages show spaces.
const LINE = /^\s*([A-Za-z]+):\s*(.*)$/;
const FIELDS = {
  ProductName: 'productName',
  ProductVersion: 'productVersion',
  ProductVersionExtra: 'productVersionExtra',
  BuildVersion: 'buildVersion',
} as const;
const REQUIRED = ['ProductName', 'ProductVersion', 'BuildVersion'] as const;

/** The line parser behind parseSwVers: tolerant, a field that never came is null with a warning. */
export function swVersReader(out: ParseOutput): LineParser<SwVersRead> {
  const found: { -readonly [K in keyof SwVers]?: string } = {};
  let cut = false;
  let recognised = false;
  return {
    line(line) {
      if (cut || line.text.trim() === '') return;
      const match = LINE.exec(line.text);
      const value = match?.[2]?.trim() ?? '';
      if (match === null || value === '') {
        // An excerpt cut in its last line keeps what came before.
        if (line.mayBeCut) {
          cut = true;
          return;
        }
        throw new ParseError({
          kind: KIND,
          command: COMMAND,
          line: line.number,
          expected: 'a line "<Key>:<TAB><value>"',
          got: line.text,
        });
      }
      const field = FIELDS[match[1] as keyof typeof FIELDS] as keyof SwVers | undefined;
      if (field !== undefined) recognised = true;
      if (field !== undefined && found[field] === undefined) found[field] = value;
    },
    end(lines) {
      if (!recognised) {
        throw new ParseError({
          kind: KIND,
          command: COMMAND,
          line: lines + 1,
          expected: 'a line "ProductName:<TAB><value>"',
          got: null,
        });
      }
      const missing = REQUIRED.filter((key) => found[FIELDS[key]] === undefined);
      if (missing.length > 0)
        out.warn('truncated', lines + 1, `no ${missing.join(', ')} line: the paste ends early`);
      return {
        productName: found.productName ?? null,
        productVersion: found.productVersion ?? null,
        productVersionExtra: found.productVersionExtra ?? null,
        buildVersion: found.buildVersion ?? null,
      };
    },
  };
}

/** Parses `sw_vers` without arguments; throws when a required field is missing. */
export function parseSwVers(text: string, options?: ParseOptions): SwVers {
  const read = parseWith(swVersReader, text, { kind: KIND, command: COMMAND }, options);
  return toSwVers(read, splitLines(text).length);
}

/** The facts of a read, or a ParseError naming the first line that never came. */
export function toSwVers(read: SwVersRead, lines: number): SwVers {
  for (const key of REQUIRED) {
    if (read[FIELDS[key]] === null) {
      throw new ParseError({
        kind: KIND,
        command: COMMAND,
        line: lines + 1,
        expected: `a line "${key}:<TAB><value>"`,
        got: null,
      });
    }
  }
  return {
    productName: read.productName!,
    productVersion: read.productVersion!,
    ...(read.productVersionExtra === null ? {} : { productVersionExtra: read.productVersionExtra }),
    buildVersion: read.buildVersion!,
  };
}
