import { normalizeLine } from './lines.ts';
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

const DEFAULT_MAX_LINE_CHARS = 1 << 23;

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
  const decoder = new TextDecoder();
  const iterator = source[Symbol.asyncIterator]();
  let partial = '';
  let lineNumber = 0;
  let first = true;

  try {
    while (true) {
      const next = await nextOrAbort(iterator, options.signal);
      if (next.done) break;
      let text =
        partial +
        (typeof next.value === 'string' ? next.value : decoder.decode(next.value, { stream: true }));
      if (first) {
        // A BOM can only open the stream.
        if (text.startsWith('\uFEFF')) text = text.slice(1);
        first = text === '';
      }
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      if (partial.length > maxLineChars) {
        throw new ParseError({
          kind: 'unified-log',
          command: 'log stream',
          line: lineNumber + lines.length + 1,
          expected: `a line shorter than ${maxLineChars} characters`,
          got: partial.slice(0, 200),
        });
      }
      for (const line of lines) {
        lineNumber++;
        yield* reader.line(normalizeLine(line.replace(/\r$/, '')), lineNumber, false);
      }
    }
    partial += decoder.decode();
    // Text after the last newline may be an excerpt's cut-off line.
    if (partial !== '') yield* reader.line(normalizeLine(partial.replace(/\r$/, '')), lineNumber + 1, true);
    yield* reader.end();
  } finally {
    // Releases the source (a Readable is destroyed) when the consumer stops early or on abort.
    const closing = iterator.return?.();
    // After an abort a next() is still pending, and an async generator source would only settle
    // return() after it: do not wait for that.
    if (options.signal?.aborted) closing?.catch(() => {});
    else await closing;
  }
}

function nextOrAbort<T>(
  iterator: AsyncIterator<T>,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<T>> {
  if (signal === undefined) return iterator.next();
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
