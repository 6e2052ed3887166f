import type { LineParser, ParseOutput } from './line-parser.ts';
import { warnCutLine } from './line-parser.ts';
import type { SourceLine } from './lines.ts';
import { ParseError } from './parse-error.ts';

export interface RowLoop<T> {
  kind: string;
  command: string;
  /** Name of the list the rows go to, e.g. `jobs`. */
  list: string;
  /** What a row looks like, for the error message. */
  expected: string;
  /** Lines to pass over (blank lines, titles, headers). */
  skip: (line: SourceLine) => boolean;
  /** The row a line holds, or null when it holds none. */
  row: (line: SourceLine) => T | null;
}

/**
 * The loop most line-oriented parsers share: every line is skipped or is a row. A cut-off last
 * line that is not a row ends the input with a `truncated` warning (excerpts pasted from web pages
 * stop mid-line); any other line that is not a row is a ParseError naming it.
 */
export function rowReader<T>(out: ParseOutput, loop: RowLoop<T>): LineParser<void> {
  return {
    line(line) {
      if (loop.skip(line)) return;
      const row = loop.row(line);
      if (row !== null) {
        out.push(loop.list, row);
        return;
      }
      if (line.mayBeCut) {
        warnCutLine(out, line);
        return;
      }
      throw new ParseError({
        kind: loop.kind,
        command: loop.command,
        line: line.number,
        expected: loop.expected,
        got: line.text,
      });
    },
    end() {},
  };
}
