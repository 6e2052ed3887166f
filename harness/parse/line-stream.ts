// Reads command output from a stream (a file, stdin, a pipe, an SSH channel) line by line without
// holding more than one line: the shared reader of the CLI's `parse`, parseUnifiedLogStream and the
// memory benchmarks.
import { isAscii } from 'node:buffer';
import { normalizeLine, type SourceLine } from './lines.ts';

export interface LineStreamOptions {
  /** Stops waiting for the source and ends the reader with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Longest line kept; the rest of a longer line is dropped (onLongLine says so), so that a source
   * without line breaks cannot grow the buffer without bound.
   * @default 8388608
   */
  readonly maxLineChars?: number;
  /** Called once per line that is cut to maxLineChars (as soon as it is), with its 1-based number. */
  readonly onLongLine?: (line: number) => void;
}

export const DEFAULT_MAX_LINE_CHARS = 1 << 23;

/**
 * Yields the lines of a source in batches (one per chunk read: an await per line would cost more
 * than the parsing). Accepts LF, CRLF and lone CR, a leading BOM, text or bytes (UTF-8, split
 * anywhere). The last line is `mayBeCut` when the source does not end with a line break.
 */
export async function* readLineBatches(
  source: AsyncIterable<string | Uint8Array>,
  options: LineStreamOptions = {},
): AsyncGenerator<SourceLine[], void, undefined> {
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const decoder = new TextDecoder();
  const iterator = source[Symbol.asyncIterator]();
  let partial = '';
  // True while the rest of an over-long line is being skipped.
  let skipping = false;
  let number = 0;
  let first = true;
  let carryCr = false;
  // True when the decoder may hold the first bytes of a character split between chunks.
  let decoderHolds = false;

  const take = (raw: string): SourceLine => {
    number++;
    skipping = false;
    return { number, text: normalizeLine(raw), mayBeCut: false };
  };

  try {
    while (true) {
      const next = await nextOrAbort(iterator, options.signal);
      if (next.done) break;
      let text: string;
      if (typeof next.value === 'string') text = next.value;
      else if (!decoderHolds && isAscii(next.value)) {
        // Most logs are ASCII: latin1 is the same text at a fraction of the cost of UTF-8 decoding.
        text = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength).toString(
          'latin1',
        );
      } else {
        text = decoder.decode(next.value, { stream: true });
        // Only a chunk that ends in a non-ASCII byte can leave half a character in the decoder.
        decoderHolds = next.value.length > 0 && next.value[next.value.length - 1]! >= 0x80;
      }
      if (first && text !== '') {
        // A BOM can only open the stream.
        if (text.startsWith('\uFEFF')) text = text.slice(1);
        first = false;
      }
      const batch: SourceLine[] = [];
      let start = 0;
      if (carryCr) {
        // The chunk before ended with a CR: that ended a line, with or without this LF.
        carryCr = false;
        batch.push(take(partial));
        partial = '';
        if (text.charCodeAt(0) === 10) start = 1;
      }
      // Without CRs, indexOf finds the line breaks far faster than a loop over every character.
      if (text.indexOf('\r', start) === -1) {
        for (let index = text.indexOf('\n', start); index !== -1; index = text.indexOf('\n', start)) {
          batch.push(take(skipping ? partial : partial + text.slice(start, index)));
          partial = '';
          start = index + 1;
        }
      } else {
        for (let index = start; index < text.length; index++) {
          const code = text.charCodeAt(index);
          if (code !== 10 && code !== 13) continue;
          const line = skipping ? partial : partial + text.slice(start, index);
          start = index + 1;
          // A CR at the end of a chunk may be the first half of a CRLF: decide with the next chunk.
          if (code === 13 && index === text.length - 1) {
            partial = line;
            carryCr = true;
            break;
          }
          batch.push(take(line));
          partial = '';
          if (code === 13 && text.charCodeAt(index + 1) === 10) {
            index++;
            start = index + 1;
          }
        }
      }
      if (!carryCr && !skipping) partial += text.slice(start);
      if (!skipping && partial.length > maxLineChars) {
        partial = partial.slice(0, maxLineChars);
        skipping = true;
        options.onLongLine?.(number + 1);
      }
      if (batch.length > 0) yield batch;
    }
    if (!skipping) partial += decoder.decode();
    if (carryCr) yield [take(partial)];
    else if (partial !== '' || skipping) {
      // Text after the last line break may be an excerpt's cut-off line.
      yield [{ ...take(partial), mayBeCut: true }];
    }
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
