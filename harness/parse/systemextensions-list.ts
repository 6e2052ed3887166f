import {
  type LineParser,
  type ParseOptions,
  type ParseOutput,
  parseWith,
  warnCutLine,
} from './line-parser.ts';
import type { SourceLine } from './lines.ts';
import { ParseError } from './parse-error.ts';

/** One row of `systemextensionsctl list`. */
export interface SystemExtension {
  /** Category from the `---` line, e.g. `com.apple.system_extension.network_extension`. */
  readonly category: string;
  readonly enabled: boolean;
  readonly active: boolean;
  readonly teamId: string;
  readonly bundleId: string;
  /** CFBundleShortVersionString, the part before the slash. */
  readonly shortVersion: string;
  /** CFBundleVersion, the part after the slash. */
  readonly bundleVersion: string;
  readonly name: string;
  /** As printed, without brackets, e.g. `activated enabled`. */
  readonly state: string;
}

export interface SystemExtensionsList {
  /**
   * The `<n> extension(s)` count as printed; an excerpt may list fewer rows. A paste that starts at
   * its first `---` line has none: then it is the number of rows read (and a warning says so).
   */
  readonly count: number;
  readonly extensions: SystemExtension[];
}

const KIND = 'systemextensions-list';
const COMMAND = 'systemextensionsctl list';
const TAB_WIDTH = 8;
// Real rows are under 300 characters; the cap keeps the row pattern's backtracking cheap on garbage.
const ROW_MAX_CHARS = 4096;

const EXPECTED_COUNT = 'a count line "<n> extension(s)" or a category line "--- <category>"';
const COUNT_LINE = /^\s*(\d{1,9}) extension\(s\)$/;
// macOS 15+ appends "(Go to 'System Settings > ...' to modify these system extension(s))".
const CATEGORY_LINE = /^\s*---\s+(\S+)(?:\s+\(.*\))?$/;
const HEADER_LINE = /^\s*enabled\s+active\s+teamID\s+bundleID\s*\(version\)\s+name\s+\[state\]$/;
/**
 * The command line a poster copied (after a prompt) with its output: `user@mac ~ % systemextensionsctl list`,
 * `mac:~ me$ sudo systemextensionsctl list`. The prompt may hold spaces; the command is a whole word.
 */
export const COMMAND_ECHO = /^(?:.*[\s%$#>])?(?:sudo\s+)?systemextensionsctl\s+list\s*$/;
// systemextensionsctl's NSLog lines on stderr ("... systemextensionsctl[53794:3282207] Cannot
// getLocalizedStringForKey: ..."), interleaved with the rows when a paste took 2>&1.
const STDERR_LOG_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ systemextensionsctl\[\d+:\d+\] /;
// After the enabled/active columns: teamID, bundleID (short/build), name (may hold spaces, brackets), [state].
const ROW_REST = /^(\S+)\s+([^\s()]+)\s*\(([^()/\s]*)\/([^()\s]*)\)(?:\s+(.*?))?\s*\[([^[\]]*)\]$/;
// The categories Apple documents; others (e.g. com.apple.system_extension.cmio) are read as printed.
const KNOWN_CATEGORIES = new Set([
  'com.apple.system_extension.network_extension',
  'com.apple.system_extension.endpoint_security',
  'com.apple.system_extension.driver_extension',
]);

/** The line parser behind parseSystemExtensionsList; rows go to the `extensions` list. */
export function systemExtensionsListReader(out: ParseOutput): LineParser<SystemExtensionsList> {
  let count: number | null = null;
  let category: string | null = null;
  let sawHeader = false;
  let rows = 0;
  let cut = false;

  // Takes one non-blank line; returns what was expected when the line does not fit, else null.
  const consume = (line: SourceLine): string | null => {
    const text = line.text;
    if (STDERR_LOG_LINE.test(text) || (count === null && category === null && COMMAND_ECHO.test(text))) {
      out.warn(
        'extra-line',
        line.number,
        `not the list itself, skipped: ${JSON.stringify(text.slice(0, 80))}`,
      );
      return null;
    }
    if (count === null && category === null) {
      const match = COUNT_LINE.exec(text);
      if (match !== null) {
        count = Number(match[1]);
        return null;
      }
      if (!CATEGORY_LINE.test(text)) return EXPECTED_COUNT;
      out.warn(
        'missing-count-line',
        line.number,
        'no "<n> extension(s)" line before the first category: count is the rows read',
      );
    }
    const categoryMatch = CATEGORY_LINE.exec(text);
    if (categoryMatch !== null) {
      category = categoryMatch[1]!;
      sawHeader = false;
      if (!KNOWN_CATEGORIES.has(category)) {
        out.warn(
          'unknown-category',
          line.number,
          `category ${category} is not one the parser knows; its rows are read as printed`,
        );
      }
      return null;
    }
    if (category === null) return 'a category line "--- <category>"';
    if (!sawHeader) {
      sawHeader = HEADER_LINE.test(text);
      return sawHeader ? null : 'a header "enabled active teamID ..."';
    }
    const row = parseRow(text, category);
    if (row === null)
      return 'an extension row "<*> <*> <teamID> <bundleID> (<short>/<build>) <name> [<state>]"';
    out.push('extensions', row);
    rows++;
    return null;
  };

  return {
    line(line) {
      if (cut || line.text.trim() === '') return;
      const expected = consume(line);
      if (expected === null) return;
      // The cut-off last line of an excerpt is dropped when it does not parse as it stands.
      if (line.mayBeCut) {
        cut = true;
        warnCutLine(out, line);
        return;
      }
      throw new ParseError({ kind: KIND, command: COMMAND, line: line.number, expected, got: line.text });
    },
    end(lines) {
      if (count === null && category === null) {
        throw new ParseError({
          kind: KIND,
          command: COMMAND,
          line: lines + 1,
          expected: EXPECTED_COUNT,
          got: null,
        });
      }
      if (count !== null && rows < count && !cut) {
        out.warn(
          'truncated',
          lines + 1,
          `the count line says ${count} extension(s) but ${rows} row(s) were read`,
        );
      }
      return { count: count ?? rows, extensions: out.list<SystemExtension>('extensions') };
    },
  };
}

/** Parses `systemextensionsctl list` (older and macOS 15+ layouts, TABs or TABs expanded to spaces). */
export function parseSystemExtensionsList(text: string, options?: ParseOptions): SystemExtensionsList {
  return parseWith(systemExtensionsListReader, text, { kind: KIND, command: COMMAND }, options);
}

function parseRow(text: string, category: string): SystemExtension | null {
  if (text.length > ROW_MAX_CHARS) return null;
  const line = expandTabs(text);
  let index = 0;
  const starColumns: number[] = [];
  while (index < line.length && (line[index] === ' ' || line[index] === '*')) {
    if (line[index] === '*') starColumns.push(index);
    index++;
  }
  if (starColumns.length > 2) return null;
  const match = ROW_REST.exec(line.slice(index));
  if (match === null) return null;
  // Two stars: both columns. One star: in column 0 it is "enabled"; after blanks it is "active",
  // whatever TAB width the page that expanded the TABs used.
  const enabled = starColumns.length === 2 || starColumns[0] === 0;
  const active = starColumns.length === 2 || (starColumns.length === 1 && starColumns[0] !== 0);
  return {
    category,
    enabled,
    active,
    teamId: match[1]!,
    bundleId: match[2]!,
    shortVersion: match[3]!,
    bundleVersion: match[4]!,
    name: match[5] ?? '',
    state: match[6]!.trim(),
  };
}

function expandTabs(text: string): string {
  if (!text.includes('\t')) return text;
  let out = '';
  for (const char of text) {
    if (char === '\t') out += ' '.repeat(TAB_WIDTH - (out.length % TAB_WIDTH));
    else out += char;
  }
  return out;
}
