import { type LineParser, type ParseOptions, type ParseOutput, parseWith } from './line-parser.ts';
import { rowReader } from './row-loop.ts';

/** One row of `launchctl list`. */
export interface LaunchctlListJob {
  /** Null when the PID column is `-` (not running). */
  readonly pid: number | null;
  /** Last exit status (negative: killed by that signal); a string when not a number, e.g. `-`. */
  readonly status: number | string;
  readonly label: string;
}

export interface LaunchctlList {
  readonly jobs: LaunchctlListJob[];
}

const KIND = 'launchctl-list';
const COMMAND = 'launchctl list';
const HEADER = /^\s*PID\s+Status\s+Label$/;
// PID or "-", status, label; TAB-separated, or spaces when pasted from a web page.
const ROW = /^\s*(-|\d{1,9})\s+(\S+)\s+(\S.*)$/;

/** The line parser behind parseLaunchctlList; rows go to the `jobs` list. */
export function launchctlListReader(out: ParseOutput): LineParser<LaunchctlList> {
  let first = true;
  const rows = rowReader(out, {
    kind: KIND,
    command: COMMAND,
    list: 'jobs',
    expected: 'a header "PID Status Label" or a row "<pid|-> <status> <label>"',
    skip: (line) => {
      if (line.text.trim() === '') return true;
      const header = first && HEADER.test(line.text);
      first = false;
      return header;
    },
    row: (line) => {
      const match = ROW.exec(line.text);
      return match === null
        ? null
        : { pid: toNumberOr(match[1]!, null), status: toNumberOr(match[2]!, match[2]!), label: match[3]! };
    },
  });
  return { line: (line) => rows.line(line), end: () => ({ jobs: out.list<LaunchctlListJob>('jobs') }) };
}

/** Parses `launchctl list`, with or without its header (`launchctl list | grep` drops it). */
export function parseLaunchctlList(text: string, options?: ParseOptions): LaunchctlList {
  return parseWith(launchctlListReader, text, { kind: KIND, command: COMMAND }, options);
}

function toNumberOr<T>(value: string, fallback: T): number | T {
  return /^-?\d{1,9}$/.test(value) ? Number(value) : fallback;
}
