/** Longest excerpt of the offending line that a ParseError message quotes. */
const EVIDENCE_MAX_CHARS = 160;

export interface ParseErrorFacts {
  /** Parser kind as in the registry, e.g. `systemextensions-list`. */
  readonly kind: string;
  /** Human name of the command whose output was parsed, e.g. `systemextensionsctl list`. */
  readonly command: string;
  /** 1-based line number of the offending line (one past the last line at the end of the input). */
  readonly line: number;
  /** What the parser expected there, e.g. `a header "enabled active teamID ..."`. */
  readonly expected: string;
  /** The offending line as read (trailing whitespace removed), or null at the end of the input. */
  readonly got: string | null;
}

/** The one error a parser throws: the input is not output of the expected command. */
export class ParseError extends Error {
  override readonly name: string = 'ParseError';
  readonly kind: string;
  readonly command: string;
  readonly line: number;
  readonly expected: string;
  readonly got: string | null;

  constructor(facts: ParseErrorFacts, options?: ErrorOptions) {
    super(
      `Cannot parse ${facts.command}: line ${facts.line}: expected ${facts.expected} but ${describeGot(facts.got)}`,
      options,
    );
    this.kind = facts.kind;
    this.command = facts.command;
    this.line = facts.line;
    this.expected = facts.expected;
    this.got = facts.got;
  }
}

function describeGot(got: string | null): string {
  if (got === null) return 'reached the end of the input';
  const shown = got.length > EVIDENCE_MAX_CHARS ? `${got.slice(0, EVIDENCE_MAX_CHARS)}...` : got;
  // JSON quoting makes TABs and control characters visible in the evidence.
  return `got ${JSON.stringify(shown)}`;
}
