// A 1 GB guest file through GuestSession.download (SFTP stream to disk) must keep the harness under
// 200 MB resident. The simulated guest runs in this same process, so the peak covers both ends:
// a stricter bound than the harness alone. Run: npx tsx bench/download-memory.ts [sizeMB]
import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuestSession } from '../harness/ssh/guest-session.ts';
import { bootTestGuest } from '../test/helpers/sim-guest.ts';
import { measurePeakRss } from './peak-memory.ts';

const sizeMb = Number(process.argv[2] ?? 1024);
const limitMb = 200;
const testGuest = await bootTestGuest();
const guest = await GuestSession.connect(testGuest.endpoint, { label: 'bench', timeoutMs: 20_000 });
// Sparse: the file exists at full size without 1 GB ever being written from JS.
const remote = '/private/tmp/sxl-bench.bin';
const hostFile = join(testGuest.vmDir, 'guest', 'rootfs', 'private', 'tmp', 'sxl-bench.bin');
writeFileSync(hostFile, '');
truncateSync(hostFile, sizeMb * 1024 * 1024);
const out = join(mkdtempSync(join(tmpdir(), 'sxl-bench-')), 'download.bin');
const started = performance.now();
const { baseline, peak } = await measurePeakRss(() =>
  guest.download(remote, out, { timeoutMs: 30 * 60_000 }),
);
const seconds = (performance.now() - started) / 1000;
const bytes = statSync(out).size;
const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
console.log(`downloaded ${mb(bytes)} MB in ${seconds.toFixed(1)} s: ${mb(bytes / seconds)} MB/s`);
console.log(`rss: baseline ${mb(baseline)} MB, peak ${mb(peak)} MB (limit ${limitMb} MB)`);
rmSync(out, { force: true });
guest.close();
await testGuest.guest.powerOff();
if (bytes !== sizeMb * 1024 * 1024) console.log(`FAIL: got ${bytes} bytes`);
if (peak > limitMb * 1024 * 1024) console.log('FAIL: peak resident memory over the limit');
process.exitCode = peak > limitMb * 1024 * 1024 || bytes !== sizeMb * 1024 * 1024 ? 1 : 0;
