import { type SourceLine, splitLines } from './lines.ts';
import { ParseError } from './parse-error.ts';

/** Why a paste differs from what the command prints; the facts read are still returned. */
export type ParseWarningCode =
  /** The input ends inside a block, object or line: facts after the cut are missing. */
  | 'truncated'
  /** `systemextensionsctl list` without its `N extension(s)` line. */
  | 'missing-count-line'
  /** An id the poster replaced with text or removed. */
  | 'redacted-id'
  /** A category, domain or type the parser does not know; read as printed. */
  | 'unknown-category'
  /** A layout of an older macOS release, read with its own rules. */
  | 'older-layout'
  /** A line longer than the reader keeps: the rest of it was dropped. */
  | 'long-line'
  /** Entries whose time stamps go back in time. */
  | 'out-of-order'
  /** More distinct keys than a map keeps: the others were dropped. */
  | 'too-many-keys'
  /** A line that is not the command's output (the command line itself, a log line on stderr), skipped. */
  | 'extra-line';

export interface ParseWarning {
  readonly code: ParseWarningCode;
  /** 1-based line the warning is about (one past the last line for the end of the input). */
  readonly line: number;
  readonly message: string;
}

/**
 * Where a parser puts what it finds. Lists go through `push` so that a streaming caller can write
 * them out as they come instead of holding them: the parser itself holds only bounded state.
 */
export interface ParseOutput {
  warn(code: ParseWarningCode, line: number, message: string): void;
  push(list: string, item: unknown): void;
  /** The list for the result: the items pushed (in memory), or a stand-in the stream writer fills. */
  list<T>(name: string): T[];
}

/** A last line that may be cut mid-way: warn that it was dropped (its facts are unknown), not fail. */
export function warnCutLine(out: Pick<ParseOutput, 'warn'>, line: SourceLine): void {
  out.warn(
    'truncated',
    line.number,
    `the last line is cut and was dropped: ${JSON.stringify(line.text.slice(0, 80))}`,
  );
}

/** A parser fed one line at a time; `end` builds the result from the bounded state and the lists. */
export interface LineParser<R> {
  line(line: SourceLine): void;
  end(lines: number): R;
}

export type LineParserFactory<R> = (out: ParseOutput) => LineParser<R>;

/** The most warnings of one code kept; a 2 GB paste may repeat the same difference millions of times. */
const WARNINGS_PER_CODE = 20;

/** Collects warnings, with a count of those dropped per code. */
export class WarningLog {
  readonly warnings: ParseWarning[] = [];
  private readonly counts = new Map<ParseWarningCode, number>();

  add(warning: ParseWarning): void {
    const count = (this.counts.get(warning.code) ?? 0) + 1;
    this.counts.set(warning.code, count);
    if (count <= WARNINGS_PER_CODE) this.warnings.push(warning);
  }

  /** The kept warnings, plus one per code that says how many more there were. */
  list(lines: number): ParseWarning[] {
    const more = [...this.counts].filter(([, count]) => count > WARNINGS_PER_CODE);
    return [
      ...this.warnings,
      ...more.map(([code, count]) => ({
        code,
        line: lines + 1,
        message: `${count - WARNINGS_PER_CODE} more "${code}" warnings not listed`,
      })),
    ];
  }
}

/** ParseOutput that keeps every list in memory: what the library functions return. */
export class CollectedOutput implements ParseOutput {
  readonly log = new WarningLog();
  private readonly lists = new Map<string, unknown[]>();

  warn(code: ParseWarningCode, line: number, message: string): void {
    this.log.add({ code, line, message });
  }

  push(list: string, item: unknown): void {
    const items = this.lists.get(list);
    if (items === undefined) this.lists.set(list, [item]);
    else items.push(item);
  }

  list<T>(name: string): T[] {
    return (this.lists.get(name) ?? []) as T[];
  }
}

export interface ParseOptions {
  /**
   * Turn the first warning into a ParseWarningError: for the harness's own checks, where a changed
   * shape of the output must stop the run instead of being read around.
   * @default false
   */
  readonly strict?: boolean;
  /** Called with each warning of a tolerant parse. */
  readonly onWarning?: (warning: ParseWarning) => void;
}

/** A strict parse met a paste that differs from the command's output. */
export class ParseWarningError extends ParseError {
  override readonly name = 'ParseWarningError';
  readonly warnings: readonly ParseWarning[];

  constructor(kind: string, command: string, warnings: readonly ParseWarning[]) {
    const first = warnings[0]!;
    super({
      kind,
      command,
      line: first.line,
      expected: `no "${first.code}" warning (strict)`,
      got: first.message,
    });
    this.warnings = warnings;
  }
}

/** Runs a line parser over a whole text in memory; returns the result and the warnings. */
export function parseText<R>(
  factory: LineParserFactory<R>,
  text: string,
): { result: R; warnings: ParseWarning[] } {
  const out = new CollectedOutput();
  const parser = factory(out);
  const lines = splitLines(text);
  for (const line of lines) parser.line(line);
  const result = parser.end(lines.length);
  return { result, warnings: out.log.list(lines.length) };
}

/** parseText for the library functions: the result alone, warnings to the options. */
export function parseWith<R>(
  factory: LineParserFactory<R>,
  text: string,
  identity: { kind: string; command: string },
  options: ParseOptions = {},
): R {
  const { result, warnings } = parseText(factory, text);
  if (options.strict === true && warnings.length > 0) {
    throw new ParseWarningError(identity.kind, identity.command, warnings);
  }
  for (const warning of warnings) options.onWarning?.(warning);
  return result;
}
