// Renders report.html in headless Chromium (Debian package `chromium`) and inspects the screenshot.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import test from 'ava';
import { writeHtmlReport } from '../../../harness/report/html-report.ts';
import { makeRunDir } from './run-dir-fixture.ts';

function chromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      execFileSync('which', [name], { stdio: 'pipe' });
      return name;
    } catch {}
  }
  return undefined;
}

/** Decodes an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) into rows of pixels. */
function decodePng(png: Buffer): { width: number; height: number; channels: number; pixels: Buffer } {
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = data[9] === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x += 1) {
      const value = raw[y * (stride + 1) + 1 + x] ?? 0;
      const a = x >= channels ? (pixels[y * stride + x - channels] ?? 0) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const c = x >= channels && y > 0 ? (pixels[(y - 1) * stride + x - channels] ?? 0) : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter ?? 0] ?? 0;
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

function countColour(image: ReturnType<typeof decodePng>, rgb: [number, number, number]): number {
  let count = 0;
  for (let i = 0; i < image.pixels.length; i += image.channels) {
    if (
      Math.abs((image.pixels[i] ?? 0) - rgb[0]) <= 3 &&
      Math.abs((image.pixels[i + 1] ?? 0) - rgb[1]) <= 3 &&
      Math.abs((image.pixels[i + 2] ?? 0) - rgb[2]) <= 3
    )
      count += 1;
  }
  return count;
}

const browser = chromium();

(browser ? test : test.skip)('report.html marks the failing iteration red in a real browser', (t) => {
  const runDir = makeRunDir();
  const path = writeHtmlReport(runDir);
  const html = readFileSync(path, 'utf8');
  t.notRegex(html, /<script|https?:\/\//);
  t.regex(html, /<tr class="fail">/);
  t.regex(html, /50\.0 % \(95 % CI 9\.5 %–90\.5 %\)/);
  t.regex(html, /href="iterations\/1\/evidence\/unified-log.ndjson"/);
  const shot = join(mkdtempSync(join(tmpdir(), 'sxl-shot-')), 'shot.png');
  execFileSync(
    browser ?? 'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${mkdtempSync(join(tmpdir(), 'sxl-chromium-'))}`,
      `--screenshot=${shot}`,
      '--window-size=1000,900',
      `file://${path}`,
    ],
    { stdio: 'pipe', timeout: 25_000 },
  );
  const image = decodePng(readFileSync(shot));
  t.is(image.width, 1000);
  // #c62828: the failing row's outcome cell and the failed step of its timeline.
  t.true(countColour(image, [0xc6, 0x28, 0x28]) > 500);
  // #2e7d32: the passing row.
  t.true(countColour(image, [0x2e, 0x7d, 0x32]) > 200);
});
