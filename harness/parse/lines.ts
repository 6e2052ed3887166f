/** One line of command output, normalised for parsing. */
export interface SourceLine {
  /** 1-based line number in the input. */
  readonly number: number;
  /** The line without its line ending and without trailing whitespace. */
  readonly text: string;
  /** True for the last line of an input that does not end with a newline: an excerpt may be cut there. */
  readonly mayBeCut: boolean;
}

/**
 * Splits command output into lines. Accepts LF, CRLF and lone CR line endings, a leading BOM, trailing
 * spaces or TABs and non-breaking spaces (pasted from web pages). Never throws.
 */
export function splitLines(text: string): SourceLine[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const parts = body.split(/\r\n|\r|\n/);
  const endsWithNewline = /[\r\n]$/.test(body) || body.length === 0;
  // The empty string after a final newline is not a line of its own.
  if (endsWithNewline) parts.pop();
  return parts.map((raw, index) => ({
    number: index + 1,
    text: normalizeLine(raw),
    mayBeCut: !endsWithNewline && index === parts.length - 1,
  }));
}

/** One line without its line ending: trailing blanks removed, non-breaking spaces made plain. */
export function normalizeLine(raw: string): string {
  // Web pages turn spaces into U+00A0; the parsers only know plain spaces and TABs.
  return trimTrailingBlanks(raw.replace(/\u00a0/g, ' '));
}

// A loop, not /[ \t]+$/: that regex is quadratic on long runs of blanks inside a line.
function trimTrailingBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && BLANKS.has(line.charCodeAt(end - 1))) end--;
  return line.slice(0, end);
}

const BLANKS = new Set([0x20, 0x09, 0x0b, 0x0c]);
