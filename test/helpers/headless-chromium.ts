// Pages the harness writes (history.html, report.html) looked at as a person does: rendered by
// headless Chromium into a PNG, whose pixels of a given colour are counted, so that a chart that
// does not draw (an empty polygon, a path the browser rejects) fails the test, not only its markup.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

/** The Chromium on PATH, or undefined (the screenshot tests are then skipped). */
export function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      execFileSync('which', [name], { stdio: 'pipe' });
      return name;
    } catch {}
  }
  return undefined;
}

/**
 * A screenshot of a local page, with every network feature off: a page that needed the network
 * would draw without what it fetched. The profile and the PNG's folder are removed afterwards.
 */
export function screenshot(
  browser: string,
  page: string,
  options: { width?: number; height?: number; timeoutMs?: number } = {},
): Buffer {
  // A bound against a browser that hangs, not a timing claim: a cold Chromium beside two other test
  // files on two cores took over 25 s.
  const { width = 1000, height = 700, timeoutMs = 90_000 } = options;
  const dir = mkdtempSync(join(tmpdir(), 'sxl-shot-'));
  try {
    const shot = join(dir, 'shot.png');
    execFileSync(
      browser,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--screenshot=${shot}`,
        `--window-size=${width},${height}`,
        `file://${page}`,
      ],
      { stdio: 'pipe', timeout: timeoutMs },
    );
    return readFileSync(shot);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Counts pixels of one colour (within 3 per channel) in an 8-bit RGB/RGBA PNG as Chromium writes it. */
export function countColour(png: Buffer, hex: string): number {
  const rgb = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
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
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)] ?? 0;
    for (let x = 0; x < stride; x += 1) {
      const value = raw[y * (stride + 1) + 1 + x] ?? 0;
      const a = x >= channels ? (px[y * stride + x - channels] ?? 0) : 0;
      const b = y > 0 ? (px[(y - 1) * stride + x] ?? 0) : 0;
      const c = x >= channels && y > 0 ? (px[(y - 1) * stride + x - channels] ?? 0) : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      px[y * stride + x] = (value + ([0, a, b, (a + b) >> 1, paeth][filter] ?? 0)) & 0xff;
    }
  }
  let count = 0;
  for (let i = 0; i < px.length; i += channels) {
    if (rgb.every((v, k) => Math.abs((px[i + k] ?? 0) - (v ?? 0)) <= 3)) count += 1;
  }
  return count;
}
