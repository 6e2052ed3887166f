// Issue 15, "Done when": `history` renders 30 sim nights into one page, checked in headless Chromium
// with a screenshot. Each night is a real sim run of upgrade-xpc (10% of upgrades lose the endpoint;
// the last night 90%), dated one day apart as nightly CI would start them; the last night must be
// flagged, and the page must draw the band, the line and the red flag without network or scripts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import test from 'ava';
import { historyColours } from '../../../harness/report/history-page.ts';
import { runCli } from '../../helpers/cli-run.ts';
import { makeSimEnv } from '../../helpers/sim-env.ts';
import { runOnSim } from '../../scenarios/run-on-sim.ts';
import { sized } from '../../scenarios/test-size.ts';

const QUIRK = 'xpc-endpoint-lost-on-upgrade';

function chromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      execFileSync('which', [name], { stdio: 'pipe' });
      return name;
    } catch {}
  }
  return undefined;
}

/** Counts pixels of one colour in an 8-bit RGB/RGBA PNG as Chromium writes it. */
function countColour(png: Buffer, hex: string): number {
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

const browser = chromium();

(browser ? test : test.skip)(
  '30 nights on one page: band, line, and the bad last night flagged, in a real browser',
  async (t) => {
    t.timeout(900_000);
    const nights = sized(30, 8);
    const dir = mkdtempSync(join(tmpdir(), 'sxl-history-'));
    const first = Date.UTC(2026, 10, 1, 2, 0, 0);
    for (let i = 0; i < nights; i += 1) {
      const last = i === nights - 1;
      const run = await runOnSim('upgrade-xpc', {
        repeat: last ? 8 : 3,
        seed: 100 + i,
        quirks: { [QUIRK]: last ? 0.9 : 0.1 },
        evidence: 'never',
        artifactsDir: dir,
      });
      // Nightly CI starts one run a night: the run's start date is its night.
      const manifestPath = join(run.runDir, 'run.json');
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      manifest.startedAt = new Date(first + i * 86_400_000).toISOString();
      writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
    }
    const sim = makeSimEnv();
    const { code, stdout, stderr } = await runCli(sim, ['history', dir]);
    t.is(code, 0, stderr);
    const lastDate = new Date(first + (nights - 1) * 86_400_000).toISOString().slice(0, 10);
    t.regex(
      stdout,
      new RegExp(`^flag: upgrade-xpc on .*, ${lastDate}: \\d of 8 against \\d+ of 21 before`, 'm'),
    );
    const path = join(dir, 'history.html');
    const html = readFileSync(path, 'utf8');
    t.notRegex(html, /<script|https?:\/\//);
    t.is(html.match(/<tr[^>]*><td>2026-/g)?.length, nights);
    t.regex(html, new RegExp(`<tr class="flag"><td>${lastDate}</td>`));

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
        '--window-size=1000,700',
        `file://${path}`,
      ],
      { stdio: 'pipe', timeout: 25_000 },
    );
    const png = readFileSync(shot);
    t.true(countColour(png, historyColours.band) > 2000, 'the interval band');
    t.true(countColour(png, historyColours.line) > 300, 'the rate line');
    t.true(countColour(png, historyColours.flag) > 150, 'the flagged night');
  },
);
