// The ndjson fast path (a whole-object line straight to JSON.parse) must give what the object scanner
// gives: the same records as `--style json` (a pretty array the scanner reads), as ndjson, and as
// ndjson with several objects on a line (the fallback), through the text parser and the stream.
import test from 'ava';
import fc from 'fast-check';
import { parseUnifiedLog } from '../../../harness/parse/unified-log.ts';
import { parseUnifiedLogStream } from '../../../harness/parse/unified-log-stream.ts';

// Text JSON must escape, braces that would fool a scanner, and characters beyond the BMP.
const awkward = fc.string({
  unit: fc.oneof(
    fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', '\t', '\n', ' ', 'é', '😀'),
    fc.string({ minLength: 1, maxLength: 1 }),
  ),
  maxLength: 40,
});

const record = fc.record(
  {
    timestamp: fc
      .tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 999_999 }))
      .map(([s, us]) => `2026-11-28 01:02:${String(s).padStart(2, '0')}.${String(us).padStart(6, '0')}+0000`),
    subsystem: fc.oneof(fc.constant('com.example.sxl.app.proxy'), awkward),
    category: awkward,
    processImagePath: fc.oneof(fc.constant('/usr/libexec/sysextd'), awkward),
    processID: fc.oneof(fc.integer({ min: 0, max: 99_999 }), fc.constant('612')),
    messageType: fc.constantFrom('Default', 'Info', 'Debug', 'Error', 'Fault', ''),
    eventType: fc.constantFrom('logEvent', 'activityCreateEvent', 'signpostEvent'),
    eventMessage: awkward,
  },
  { requiredKeys: ['timestamp'] },
);

const shapes = (records: object[]) => ({
  // `log show --style json`: a pretty-printed array, one key per line.
  json: `[${records.map((r) => JSON.stringify(r, null, 2)).join(',')}]\n`,
  ndjson: records.map((r) => `${JSON.stringify(r)}\n`).join(''),
  // Two objects on some lines and blanks around others: lines the fast path must leave to the scanner.
  mixed:
    records
      .map((r, i) =>
        i % 3 === 1 ? ` ${JSON.stringify(r)} ` : `${JSON.stringify(r)}${i % 3 === 0 ? ' ' : '\n'}`,
      )
      .join('') + '\n',
});

test('ndjson lines parse to what the object scanner gives for the same records', (t) => {
  fc.assert(
    fc.property(fc.array(record, { minLength: 1, maxLength: 30 }), (records) => {
      const { json, ndjson, mixed } = shapes(records);
      const viaScanner = parseUnifiedLog(json);
      const viaFastPath = parseUnifiedLog(ndjson);
      const viaFallback = parseUnifiedLog(mixed);
      t.is(viaScanner.style, 'json');
      t.is(viaFastPath.style, 'ndjson');
      t.deepEqual(viaFastPath.entries, viaScanner.entries);
      t.deepEqual(viaFallback.entries, viaScanner.entries);
      return true;
    }),
  );
});

test('the stream gives the same ndjson entries whatever the chunk size', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(record, { minLength: 1, maxLength: 20 }),
      fc.integer({ min: 1, max: 300 }),
      async (records, size) => {
        const { json, ndjson } = shapes(records);
        const bytes = Buffer.from(`Filtering the log data using "process == \\"x\\""\n${ndjson}`);
        const source = (async function* () {
          for (let offset = 0; offset < bytes.length; offset += size)
            yield bytes.subarray(offset, offset + size);
        })();
        const entries = [];
        for await (const entry of parseUnifiedLogStream(source)) entries.push(entry);
        t.deepEqual(entries, parseUnifiedLog(json).entries);
        return true;
      },
    ),
    { numRuns: 50 },
  );
});

test('an ndjson line with an invalid timestamp is the same ParseError on both paths', (t) => {
  const good = JSON.stringify({ timestamp: '2026-11-28 01:02:03.000000+0000', eventMessage: 'a' });
  const bad = JSON.stringify({ timestamp: 'yesterday', eventMessage: '{b}' });
  const fast = t.throws(() => parseUnifiedLog(`${good}\n${bad}\n`));
  const scanned = t.throws(() => parseUnifiedLog(`${good}\n${bad} ${good}\n`));
  t.is(fast?.message, scanned?.message.replace(` ${good}`, ''));
  t.regex(fast?.message ?? '', /line 2/);
});
