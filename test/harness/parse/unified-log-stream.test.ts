import { Readable } from 'node:stream';
import test from 'ava';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { parseUnifiedLog, type UnifiedLogEntry } from '../../../harness/parse/unified-log.ts';
import { parseUnifiedLogStream } from '../../../harness/parse/unified-log-stream.ts';
import { fixture } from './helpers.ts';

async function collect(source: AsyncIterable<string | Uint8Array>): Promise<UnifiedLogEntry[]> {
  const entries: UnifiedLogEntry[] = [];
  for await (const entry of parseUnifiedLogStream(source)) entries.push(entry);
  return entries;
}

/** Yields the text in chunks of `size` bytes, splitting lines and UTF-8 sequences anywhere. */
async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

test('the stream gives the same entries as the text parser, whatever the chunk size', async (t) => {
  const json = fixture('log-show-json-object.txt');
  const samples = [
    fixture('log-show-ne-provider-excerpt.txt'),
    fixture('log-show-default-footer.txt'),
    fixture('log-show-compact.txt'),
    `Filtering the log data using "x"\n[${json.trimEnd()},${json.trimEnd()}]\n`,
    `\uFEFF${fixture('log-stream-lulu-extension.txt').replace('\n', '\r\n')}`,
  ];
  for (const text of samples) {
    const expected = parseUnifiedLog(text).entries;
    for (const size of [1, 3, 7, 64, 100_000]) {
      t.deepEqual(await collect(chunks(text, size)), expected, `chunk size ${size}`);
    }
    t.deepEqual(await collect(Readable.from([text])), expected, 'Readable of strings');
  }
});

test('entries are yielded while the source is still producing (does not buffer the input)', async (t) => {
  const line = fixture('log-stream-lulu-extension.txt');
  let produced = 0;
  async function* endless(): AsyncGenerator<string> {
    while (true) {
      produced++;
      yield line;
    }
  }
  let seen = 0;
  for await (const entry of parseUnifiedLogStream(endless())) {
    t.is(entry.process, 'com.objective-see.lulu.extension');
    if (++seen === 1000) break;
  }
  // One entry is held back until the next starts: at most one line read ahead.
  t.true(produced <= seen + 1);
});

test('a line longer than maxLineChars is a ParseError, not an unbounded buffer', async (t) => {
  async function* noNewline(): AsyncGenerator<string> {
    while (true) yield 'x'.repeat(1000);
  }
  await t.throwsAsync(
    async () => {
      for await (const _entry of parseUnifiedLogStream(noNewline(), { maxLineChars: 10_000 })) {
        // nothing: the first line never ends
      }
    },
    { instanceOf: ParseError },
  );
});

test('abort ends the wait for a stalled source', async (t) => {
  const controller = new AbortController();
  async function* stalled(): AsyncGenerator<string> {
    yield fixture('log-stream-lulu-extension.txt');
    await new Promise(() => {});
  }
  const iterator = parseUnifiedLogStream(stalled(), { signal: controller.signal });
  const pending = iterator.next();
  setImmediate(() => controller.abort(new Error('stop')));
  await t.throwsAsync(pending, { message: 'stop' });
});

test('garbage in the stream is a ParseError with its line number', async (t) => {
  const error = await t.throwsAsync(
    collect(chunks(`${fixture('log-show-compact.txt')}`.replace('Timestamp', 'what?'), 5)),
    {
      instanceOf: ParseError,
    },
  );
  t.is(error.line, 1);
});
