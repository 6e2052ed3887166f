// A 1 GB unified log (`log stream --style ndjson`) through parseUnifiedLogStream must parse in
// constant memory. The input is generated on the fly, never held whole, so resident memory measures
// the parser alone. Run: npx tsx bench/log-stream-memory.ts [sizeMB]
import { Readable } from 'node:stream';
import { parseUnifiedLogStream } from '../harness/parse/unified-log-stream.ts';
import { ndjsonChunks } from './ndjson-log.ts';
import { measurePeakRss } from './peak-memory.ts';

const sizeMb = Number(process.argv[2] ?? 1024);
const limitMb = 200;

const started = performance.now();
const {
  result: entries,
  baseline,
  peak,
} = await measurePeakRss(async (sample) => {
  let count = 0;
  // The parse loop never yields to the timers: sample every 10,000 entries instead.
  for await (const _ of parseUnifiedLogStream(Readable.from(ndjsonChunks(sizeMb * 1024 * 1024)))) {
    count += 1;
    if (count % 10_000 === 0) sample();
  }
  return count;
});
const seconds = (performance.now() - started) / 1000;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
console.log(
  `${sizeMb} MB of ndjson, ${entries} entries in ${seconds.toFixed(1)} s (${(sizeMb / seconds).toFixed(0)} MB/s); resident memory ${mb(baseline)} MB at start, peak ${mb(peak)} MB (limit ${limitMb} MB)`,
);
if (peak > limitMb * 1024 * 1024) {
  console.error(`FAIL: peak resident memory ${mb(peak)} MB is over ${limitMb} MB`);
  process.exitCode = 1;
}
