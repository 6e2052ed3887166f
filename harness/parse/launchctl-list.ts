import { splitLines } from './lines.ts';
import { parseRows } from './row-loop.ts';

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

/** Parses `launchctl list`, with or without its header (`launchctl list | grep` drops it). */
export function parseLaunchctlList(text: string): LaunchctlList {
  const lines = splitLines(text).filter((line) => line.text.trim() !== '');
  const first = lines[0];
  const jobs = parseRows(lines, {
    kind: KIND,
    command: COMMAND,
    expected: 'a header "PID Status Label" or a row "<pid|-> <status> <label>"',
    skip: (line) => line === first && HEADER.test(line.text),
    row: (line) => {
      const match = ROW.exec(line.text);
      return match === null
        ? null
        : { pid: toNumberOr(match[1]!, null), status: toNumberOr(match[2]!, match[2]!), label: match[3]! };
    },
  });
  return { jobs };
}

function toNumberOr<T>(value: string, fallback: T): number | T {
  return /^-?\d{1,9}$/.test(value) ? Number(value) : fallback;
}
