import { splitLines } from './lines.ts';
import { ParseError } from './parse-error.ts';

export interface SwVers {
  /** `macOS` (11+) or `Mac OS X` (older). */
  readonly productName: string;
  /** e.g. `14.2.1`; the first release of a major has no patch number (`10.13`). */
  readonly productVersion: string;
  readonly buildVersion: string;
}

const KIND = 'sw-vers';
const COMMAND = 'sw_vers';
// macOS 11+ puts two TABs after "ProductName:", older releases one; pages may show spaces.
const LINE = /^\s*([A-Za-z]+):\s*(.*)$/;
const FIELDS = {
  ProductName: 'productName',
  ProductVersion: 'productVersion',
  BuildVersion: 'buildVersion',
} as const;

/** Parses `sw_vers` without arguments. Unknown keys (e.g. `ProductVersionExtra`) are ignored. */
export function parseSwVers(text: string): SwVers {
  const found: { -readonly [K in keyof SwVers]?: string } = {};
  const lines = splitLines(text);
  for (const line of lines) {
    if (line.text.trim() === '') continue;
    const match = LINE.exec(line.text);
    const value = match?.[2]?.trim() ?? '';
    if (match === null || value === '') {
      // An excerpt cut in its last line keeps what came before; the check below names what is missing.
      if (line.mayBeCut) break;
      throw new ParseError({
        kind: KIND,
        command: COMMAND,
        line: line.number,
        expected: 'a line "<Key>:<TAB><value>"',
        got: line.text,
      });
    }
    const field = FIELDS[match[1] as keyof typeof FIELDS] as keyof SwVers | undefined;
    if (field !== undefined && found[field] === undefined) found[field] = value;
  }
  for (const [key, field] of Object.entries(FIELDS)) {
    if (found[field] === undefined) {
      throw new ParseError({
        kind: KIND,
        command: COMMAND,
        line: lines.length + 1,
        expected: `a line "${key}:<TAB><value>"`,
        got: null,
      });
    }
  }
  return {
    productName: found.productName!,
    productVersion: found.productVersion!,
    buildVersion: found.buildVersion!,
  };
}
