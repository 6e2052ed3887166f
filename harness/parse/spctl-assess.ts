import {
  type LineParser,
  type ParseOptions,
  type ParseOutput,
  parseWith,
  warnCutLine,
} from './line-parser.ts';
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

const MAX_KEYS = 10_000;

/** The line parser behind parseSpctlAssess. */
export function spctlAssessReader(out: ParseOutput): LineParser<SpctlAssessment> {
  let verdict: RegExpExecArray | null = null;
  const fields = new Map<string, string>();
  let cut = false;
  return {
    line(line) {
      const trimmed = line.text.trim();
      if (cut || trimmed === '') return;
      if (verdict === null) {
        verdict = KNOWN_VERDICT.exec(trimmed) ?? ANY_VERDICT.exec(trimmed);
        if (verdict === null || line.text.includes('=')) {
          throw new ParseError({
            kind: KIND,
            command: COMMAND,
            line: line.number,
            expected: 'a verdict line "<path>: accepted|rejected"',
            got: line.text,
          });
        }
        return;
      }
      const equals = trimmed.indexOf('=');
      if (equals > 0) {
        const key = trimmed.slice(0, equals);
        if (fields.size < MAX_KEYS || fields.has(key)) fields.set(key, trimmed.slice(equals + 1));
        else out.warn('too-many-keys', line.number, `more than ${MAX_KEYS} keys: "${key}" was dropped`);
        return;
      }
      if (line.mayBeCut) {
        cut = true;
        warnCutLine(out, line);
        return;
      }
      throw new ParseError({
        kind: KIND,
        command: COMMAND,
        line: line.number,
        expected: 'a line "<key>=<value>"',
        got: line.text,
      });
    },
    end(lines) {
      if (verdict === null) {
        throw new ParseError({
          kind: KIND,
          command: COMMAND,
          line: lines + 1,
          expected: 'a verdict line "<path>: accepted|rejected"',
          got: null,
        });
      }
      const found = verdict as RegExpExecArray;
      return {
        path: found[1]!,
        verdict: found[2]!,
        accepted: found[2] === 'accepted',
        source: fields.get('source') ?? null,
        origin: fields.get('origin') ?? null,
        fields: Object.fromEntries(fields),
      };
    },
  };
}

export function parseSpctlAssess(text: string, options?: ParseOptions): SpctlAssessment {
  return parseWith(spctlAssessReader, text, { kind: KIND, command: COMMAND }, options);
}
