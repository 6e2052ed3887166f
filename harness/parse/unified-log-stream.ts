import { DEFAULT_MAX_LINE_CHARS, readLineBatches } from './line-stream.ts';
import { ParseError } from './parse-error.ts';
import {
  type UnifiedLogEntry,
  type UnifiedLogLimits,
  UnifiedLogReader,
  unifiedLogLimitDefaults,
} from './unified-log.ts';

export interface UnifiedLogStreamOptions {
  /** Stops waiting for the source and ends the generator with the signal's reason. */
  readonly signal?: AbortSignal;
  /** @default unifiedLogLimitDefaults */
  readonly limits?: UnifiedLogLimits;
  /**
   * Longest line accepted; a longer one is a ParseError, so that a source without line breaks cannot
   * grow the buffer without bound.
   * @default 8388608
   */
  readonly maxLineChars?: number;
}

/**
 * Parses `log stream` / `log show` output as it arrives (any style, see parseUnifiedLog) and yields
 * each entry once it is complete. Memory stays bounded by the limits whatever the length of the
 * source. An entry is yielded when the next one starts (its continuation lines may still come) or
 * when the source ends. The source is any async iterable of text or bytes, e.g. a Node Readable.
 */
export async function* parseUnifiedLogStream(
  source: AsyncIterable<string | Uint8Array>,
  options: UnifiedLogStreamOptions = {},
): AsyncGenerator<UnifiedLogEntry, void, undefined> {
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const reader = new UnifiedLogReader(options.limits ?? unifiedLogLimitDefaults);
  const lines = readLineBatches(source, {
    maxLineChars,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onLongLine: (line) => {
      throw new ParseError({
        kind: 'unified-log',
        command: 'log stream',
        line,
        expected: `a line shorter than ${maxLineChars} characters`,
        got: null,
      });
    },
  });
  for await (const batch of lines) {
    for (const line of batch) yield* reader.line(line.text, line.number, line.mayBeCut);
  }
  yield* reader.end();
}
