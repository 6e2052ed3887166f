// Peak resident memory of `sysext-lab parse <kind>` per kind for a large input (default 2 GB), which
// must stay under 200 MB: the input is read line by line and lists spill to temporary files. Two ways:
//   npx tsx bench/parse-memory.ts [sizeMB] [kind...]        in process, the input generated on the fly
//   npx tsx bench/parse-memory.ts --cli [sizeMB] [kind...]  the CLI itself, fed "(sleep 1; cat FILE) |",
//                                                           peak RSS of the CLI process from /usr/bin/time
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseStream } from '../harness/parse/parse-stream.ts';
import { SpilledOutput } from '../harness/parse/spilled-output.ts';
import { synthesize, syntheticInputs } from './parse-inputs.ts';
import { measurePeakRss } from './peak-memory.ts';

const args = process.argv.slice(2);
const viaCli = args[0] === '--cli';
if (viaCli) args.shift();
const sizeMb = Number(args[0] ?? 2048);
const kinds = args.length > 1 ? args.slice(1) : Object.keys(syntheticInputs);
const limitMb = 200;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
let failed = false;

for (const kind of kinds) {
  const input = syntheticInputs[kind];
  if (input === undefined)
    throw new Error(
      `No synthetic input for kind ${kind}: kinds are ${Object.keys(syntheticInputs).join(', ')}`,
    );
  const started = performance.now();
  const { peak, outputBytes, warnings } = viaCli ? await throughCli(kind) : await inProcess(kind);
  const seconds = (performance.now() - started) / 1000;
  const over = peak > limitMb * 1024 * 1024;
  failed ||= over;
  console.log(
    `${kind.padEnd(24)} ${sizeMb} MB in ${seconds.toFixed(1)} s, ${mb(outputBytes)} MB of JSON, ${warnings} warning(s): peak RSS ${mb(peak)} MB${over ? ` OVER ${limitMb} MB` : ''}`,
  );
}
if (failed) {
  console.error(`FAIL: a kind's peak resident memory is over ${limitMb} MB`);
  process.exitCode = 1;
}

async function inProcess(kind: string): Promise<{ peak: number; outputBytes: number; warnings: number }> {
  const out = new SpilledOutput();
  try {
    const { result, peak } = await measurePeakRss(async (sample) => {
      let lines = 0;
      const source = (async function* () {
        for (const chunk of synthesize(syntheticInputs[kind]!, sizeMb * 1024 * 1024)) {
          // The parse loop never yields to the timers: sample as the chunks go by.
          if (++lines % 64 === 0) sample();
          yield chunk;
        }
      })();
      const parsed = await parseStream(source, out, { kind });
      let outputBytes = 0;
      await out.writeJson(parsed.result, async (text) => {
        outputBytes += text.length;
        if (outputBytes % (64 << 20) < text.length) sample();
      });
      return { outputBytes, warnings: out.log.list(0).length };
    });
    return { peak, ...result };
  } finally {
    out.dispose();
  }
}

async function throughCli(kind: string): Promise<{ peak: number; outputBytes: number; warnings: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-parse-bench-'));
  try {
    const file = join(dir, 'input.txt');
    await pipeline(
      Readable.from(synthesize(syntheticInputs[kind]!, sizeMb * 1024 * 1024)),
      createWriteStream(file),
    );
    const cli = new URL('../bin/sysext-lab.js', import.meta.url).pathname;
    const output = join(dir, 'output.json');
    // A slow producer on a pipe: the case that failed with EAGAIN when stdin was read at once.
    const script = `(sleep 1; cat "$1") | /usr/bin/time -f '%M' node "$2" parse "$3" > "$4" 2> "$4.err"; status=$?; tail -n 1 "$4.err"; grep -c 'warning:' "$4.err" || true; wc -c < "$4"; exit $status`;
    const [rssKb, warnings, bytes] = execFileSync('sh', ['-c', script, 'sh', file, cli, kind, output], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    return { peak: Number(rssKb) * 1024, outputBytes: Number(bytes), warnings: Number(warnings) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
