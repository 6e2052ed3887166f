import { splitLines } from './lines.ts';
import { ParseError } from './parse-error.ts';

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
  const jobs: LaunchctlListJob[] = [];
  let first = true;
  for (const line of splitLines(text)) {
    if (line.text.trim() === '') continue;
    const isHeader = first && HEADER.test(line.text);
    first = false;
    if (isHeader) continue;
    const match = ROW.exec(line.text);
    if (match !== null) {
      jobs.push({
        pid: toNumberOr(match[1]!, null),
        status: toNumberOr(match[2]!, match[2]!),
        label: match[3]!,
      });
      continue;
    }
    // A cut-off last line that no longer looks like a row is dropped (a complete-looking one is kept:
    // output captured with its final newline trimmed must still parse).
    if (line.mayBeCut) break;
    throw new ParseError({
      kind: KIND,
      command: COMMAND,
      line: line.number,
      expected: 'a header "PID Status Label" or a row "<pid|-> <status> <label>"',
      got: line.text,
    });
  }
  return { jobs };
}

function toNumberOr<T>(value: string, fallback: T): number | T {
  return /^-?\d{1,9}$/.test(value) ? Number(value) : fallback;
}
