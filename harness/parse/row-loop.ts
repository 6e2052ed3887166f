import type { SourceLine } from './lines.ts';
import { ParseError } from './parse-error.ts';

export interface RowLoop<T> {
  kind: string;
  command: string;
  /** What a row looks like, for the error message. */
  expected: string;
  /** Lines to pass over (blank lines, titles, headers). */
  skip: (line: SourceLine) => boolean;
  /** The row a line holds, or null when it holds none. */
  row: (line: SourceLine) => T | null;
}

/**
 * The loop most line-oriented parsers share: every line is skipped or is a row. A cut-off last
 * line that is not a row ends the input (excerpts pasted from web pages stop mid-line); any other
 * line that is not a row is a ParseError naming it.
 */
export function parseRows<T>(lines: readonly SourceLine[], loop: RowLoop<T>): T[] {
  const rows: T[] = [];
  for (const line of lines) {
    if (loop.skip(line)) continue;
    const row = loop.row(line);
    if (row !== null) {
      rows.push(row);
      continue;
    }
    if (line.mayBeCut) break;
    throw new ParseError({
      kind: loop.kind,
      command: loop.command,
      line: line.number,
      expected: loop.expected,
      got: line.text,
    });
  }
  return rows;
}
