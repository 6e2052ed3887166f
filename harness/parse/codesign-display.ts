import { splitLines } from './lines.ts';
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

/** Parses `codesign -dv [--verbose=N] <path>` output. */
export function parseCodesignDisplay(text: string): CodesignDisplay {
  const fields = new Map<string, string>();
  const authorities: string[] = [];
  let signed = true;
  let recognised = false;

  for (const line of splitLines(text)) {
    const trimmed = line.text.trim();
    // "..." marks lines trimmed from a pasted excerpt.
    if (trimmed === '' || trimmed === '...') continue;
    if (NOT_SIGNED.test(trimmed)) {
      signed = false;
      recognised = true;
      continue;
    }
    const equals = trimmed.indexOf('=');
    if (equals <= 0) {
      if (line.mayBeCut) break;
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
    if (key === 'Authority') authorities.push(value);
    fields.set(key, value);
    if (key === 'Executable' || key === 'Identifier') recognised = true;
  }
  if (!recognised) {
    throw new ParseError({
      kind: KIND,
      command: COMMAND,
      line: 1,
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
}
