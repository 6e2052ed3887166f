// Runs a parse kind over a stream of any size: lines come from the shared line reader, lists go to
// the ParseOutput as they are found, and only the parser's bounded state is held.
import type { LineParser, ParseOutput } from './line-parser.ts';
import { type LineStreamOptions, readLineBatches } from './line-stream.ts';
import type { SourceLine } from './lines.ts';
import { detectKind, type ParseKindName, parseKind } from './registry.ts';

export interface StreamParseOptions {
  /** A kind name, or `auto` to guess it from the first lines. */
  readonly kind: string;
  readonly signal?: AbortSignal;
  /** Longest line kept; see LineStreamOptions. */
  readonly maxLineChars?: number;
  /** Told which kind `auto` chose, before the parse goes on. */
  readonly onDetected?: (kind: ParseKindName, line: number) => void;
}

/** How many non-blank lines `auto` looks at before it must choose. */
const DETECT_LINES = 20;
/** How many lines, blank ones included, `auto` holds at most before it must choose. */
const HELD_LINES = 10_000;

/** The kind `auto` could not guess. */
export class UnknownInputKindError extends Error {
  override readonly name = 'UnknownInputKindError';
  constructor(readonly firstLine: string | null) {
    super(
      `Cannot tell which command printed the input: its first lines match no parse kind (first line ${firstLine === null ? 'absent: the input is empty' : JSON.stringify(firstLine.slice(0, 120))}); name the kind, see parse --help`,
    );
  }
}

/** Parses a stream with one kind; returns the kind used and its result (lists as `out` keeps them). */
export async function parseStream(
  source: AsyncIterable<string | Uint8Array>,
  out: ParseOutput,
  options: StreamParseOptions,
): Promise<{ kind: string; result: unknown }> {
  let kind = options.kind === 'auto' ? null : options.kind;
  let parser: LineParser<unknown> | null = kind === null ? null : parseKind(kind).reader(out);
  // Lines held while `auto` decides: at most DETECT_LINES non-blank ones, and no blank line before
  // the first of them (an input of blank lines only must not be held whole).
  const held: SourceLine[] = [];
  let heldText = 0;
  let lines = 0;

  const choose = (): LineParser<unknown> => {
    const texts = held.map((line) => line.text);
    const detected = detectKind(texts);
    if (detected === null) throw new UnknownInputKindError(texts.find((text) => text.trim() !== '') ?? null);
    kind = detected;
    options.onDetected?.(detected, held.find((line) => line.text.trim() !== '')?.number ?? 1);
    const chosen = parseKind(detected).reader(out);
    for (const line of held) chosen.line(line);
    held.length = 0;
    return chosen;
  };

  const streamOptions: LineStreamOptions = {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.maxLineChars === undefined ? {} : { maxLineChars: options.maxLineChars }),
    onLongLine: (line) =>
      out.warn('long-line', line, 'the line is longer than the reader keeps: its end was dropped'),
  };
  for await (const batch of readLineBatches(source, streamOptions)) {
    for (const line of batch) {
      lines = line.number;
      if (parser !== null) {
        parser.line(line);
        continue;
      }
      const blank = line.text.trim() === '';
      if (blank && heldText === 0) continue;
      held.push(line);
      if ((!blank && ++heldText >= DETECT_LINES) || held.length >= HELD_LINES) parser = choose();
    }
  }
  parser ??= choose();
  const entry = parseKind(kind!);
  const result = parser.end(lines);
  return { kind: kind!, result: entry.finish === undefined ? result : entry.finish(result as never) };
}
