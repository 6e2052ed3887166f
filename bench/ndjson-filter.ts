// The harness's side of the ndjson filter benchmark (bench/compare-peers.ts): the entries of one
// subsystem from a `log stream --style ndjson` file, one JSON object per line on stdout, as
// `jq -c 'select(.subsystem == S)'` prints them. Run: npx tsx bench/ndjson-filter.ts FILE SUBSYSTEM [readKiB]
import { createReadStream } from 'node:fs';
import { parseUnifiedLogStream } from '../harness/parse/unified-log-stream.ts';

const [file, subsystem, readKiB = '64'] = process.argv.slice(2);
if (file === undefined || subsystem === undefined) {
  process.stderr.write('usage: ndjson-filter.ts FILE SUBSYSTEM [readKiB]\n');
  process.exit(2);
}
// The read size bounds memory: the stream holds a few reads and the lines cut from them.
const source = createReadStream(file, { highWaterMark: Number(readKiB) * 1024 });
let out = '';
for await (const entry of parseUnifiedLogStream(source)) {
  if (entry.subsystem !== subsystem) continue;
  out += `${JSON.stringify(entry)}\n`;
  if (out.length > 1 << 16) {
    if (!process.stdout.write(out)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    out = '';
  }
}
process.stdout.write(out);
