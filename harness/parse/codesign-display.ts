import {
  type LineParser,
  type ParseOptions,
  type ParseOutput,
  parseWith,
  warnCutLine,
} from './line-parser.ts';
import { ParseError } from './parse-error.ts';

/** `codesign -dv --verbose=4 <path>` (printed on stderr). */
export interface CodesignDisplay {
  /** False when codesign printed "code object is not signed at all". */
  readonly signed: boolean;
  readonly executable: string | null;
  readonly identifier: string | null;
  readonly format: string | null;
  /** CodeDirectory flags as printed, e.g. `0x10000(runtime)`. */
  readonly flags: string | null;
  /** The `runtime` flag of the CodeDirectory: hardened runtime. */
  readonly hardenedRuntime: boolean;
  readonly cdHash: string | null;
  /** Leaf first, root last. */
  readonly authorities: string[];
  readonly teamIdentifier: string | null;
  readonly signedTime: string | null;
  /** `Timestamp=` (secure timestamp, notarized Developer ID builds). */
  readonly timestamp: string | null;
  /** `Notarization Ticket=`, e.g. `stapled`. */
  readonly notarizationTicket: string | null;
  readonly runtimeVersion: string | null;
  /** Every `key=value` line by its key (text before the first `=`); the last one wins. */
  readonly fields: Readonly<Record<string, string>>;
}

const KIND = 'codesign-display';
const COMMAND = 'codesign -dv';
const NOT_SIGNED = /: code object is not signed at all$/;
const CODE_DIRECTORY_FLAGS = /\bflags=(\S+)/;

// Keys kept: codesign prints about twenty; a paste of any size stays bounded.
const MAX_KEYS = 10_000;
const MAX_AUTHORITIES = 100;

/** The line parser behind parseCodesignDisplay. */
export function codesignDisplayReader(out: ParseOutput): LineParser<CodesignDisplay> {
  const fields = new Map<string, string>();
  const authorities: string[] = [];
  let signed = true;
  let recognised = false;
  let cut = false;
  return {
    line(line) {
      const trimmed = line.text.trim();
      // "..." marks lines trimmed from a pasted excerpt.
      if (cut || trimmed === '' || trimmed === '...') return;
      if (NOT_SIGNED.test(trimmed)) {
        signed = false;
        recognised = true;
        return;
      }
      const equals = trimmed.indexOf('=');
      if (equals <= 0) {
        if (line.mayBeCut) {
          cut = true;
          warnCutLine(out, line);
          return;
        }
        throw new ParseError({
          kind: KIND,
          command: COMMAND,
          line: line.number,
          expected: 'a line "<Key>=<value>"',
          got: line.text,
        });
      }
      const key = trimmed.slice(0, equals);
      const value = trimmed.slice(equals + 1);
      if (key === 'Authority' && authorities.length < MAX_AUTHORITIES) authorities.push(value);
      if (fields.size < MAX_KEYS || fields.has(key)) fields.set(key, value);
      else out.warn('too-many-keys', line.number, `more than ${MAX_KEYS} keys: "${key}" was dropped`);
      if (key === 'Executable' || key === 'Identifier') recognised = true;
    },
    end(lines) {
      if (!recognised) {
        throw new ParseError({
          kind: KIND,
          command: COMMAND,
          line: lines + 1,
          expected: 'an "Executable=" or "Identifier=" line',
          got: null,
        });
      }
      const flags = CODE_DIRECTORY_FLAGS.exec(fields.get('CodeDirectory v') ?? '')?.[1] ?? null;
      return {
        signed,
        executable: fields.get('Executable') ?? null,
        identifier: fields.get('Identifier') ?? null,
        format: fields.get('Format') ?? null,
        flags,
        hardenedRuntime: flags !== null && /\(.*\bruntime\b.*\)/.test(flags),
        cdHash: fields.get('CDHash') ?? null,
        authorities,
        teamIdentifier: fields.get('TeamIdentifier') ?? null,
        signedTime: fields.get('Signed Time') ?? null,
        timestamp: fields.get('Timestamp') ?? null,
        notarizationTicket: fields.get('Notarization Ticket') ?? null,
        runtimeVersion: fields.get('Runtime Version') ?? null,
        fields: Object.fromEntries(fields),
      };
    },
  };
}

/** Parses `codesign -dv [--verbose=N] <path>` output. */
export function parseCodesignDisplay(text: string, options?: ParseOptions): CodesignDisplay {
  return parseWith(codesignDisplayReader, text, { kind: KIND, command: COMMAND }, options);
}
