import { splitLines } from './lines.ts';
import { ParseError } from './parse-error.ts';

/** `spctl -a -vv <path>` (assessment). */
export interface SpctlAssessment {
  readonly path: string;
  /** Text after the path: `accepted`, `rejected`, `internal error in Code Signing subsystem`, ... */
  readonly verdict: string;
  readonly accepted: boolean;
  /** `source=`, e.g. `Notarized Developer ID`; null when absent. */
  readonly source: string | null;
  /** `origin=`, e.g. `Developer ID Application: NAME (TEAMID)`; null when absent. */
  readonly origin: string | null;
  /** Every `key=value` line. */
  readonly fields: Readonly<Record<string, string>>;
}

const KIND = 'spctl-assess';
const COMMAND = 'spctl -a -vv';
// Paths may hold ": " (rare), so a known verdict is looked for at the end first.
const KNOWN_VERDICT = /^(.+): (accepted|rejected(?: \(.*\))?)$/;
const ANY_VERDICT = /^(.+?): (\S.*)$/;

export function parseSpctlAssess(text: string): SpctlAssessment {
  const lines = splitLines(text).filter((line) => line.text.trim() !== '');
  const first = lines[0];
  const verdict =
    first === undefined
      ? null
      : (KNOWN_VERDICT.exec(first.text.trim()) ?? ANY_VERDICT.exec(first.text.trim()));
  if (first === undefined || verdict === null || first.text.includes('=')) {
    throw new ParseError({
      kind: KIND,
      command: COMMAND,
      line: first?.number ?? 1,
      expected: 'a verdict line "<path>: accepted|rejected"',
      got: first?.text ?? null,
    });
  }
  const fields = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const trimmed = line.text.trim();
    const equals = trimmed.indexOf('=');
    if (equals > 0) {
      fields.set(trimmed.slice(0, equals), trimmed.slice(equals + 1));
      continue;
    }
    if (line.mayBeCut) break;
    throw new ParseError({
      kind: KIND,
      command: COMMAND,
      line: line.number,
      expected: 'a line "<key>=<value>"',
      got: line.text,
    });
  }
  return {
    path: verdict[1]!,
    verdict: verdict[2]!,
    accepted: verdict[2] === 'accepted',
    source: fields.get('source') ?? null,
    origin: fields.get('origin') ?? null,
    fields: Object.fromEntries(fields),
  };
}
