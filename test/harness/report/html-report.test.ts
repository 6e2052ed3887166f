// Renders report.html in headless Chromium (Debian package `chromium`) and inspects the screenshot.
import { readFileSync } from 'node:fs';
import test from 'ava';
import { writeHtmlReport } from '../../../harness/report/html-report.ts';
import { countColour, findChromium, screenshot } from '../../helpers/headless-chromium.ts';
import { makeRunDir } from './run-dir-fixture.ts';

const browser = findChromium();

(browser ? test : test.skip)('report.html marks the failing iteration red in a real browser', (t) => {
  const runDir = makeRunDir();
  const path = writeHtmlReport(runDir);
  const html = readFileSync(path, 'utf8');
  t.notRegex(html, /<script|https?:\/\//);
  t.regex(html, /<tr class="fail">/);
  t.regex(html, /50\.0 % \(95 % CI 9\.5 %–90\.5 %\)/);
  t.regex(html, /href="iterations\/1\/evidence\/unified-log.ndjson"/);
  const png = screenshot(browser ?? 'chromium', path, { height: 900 });
  t.is(png.readUInt32BE(16), 1000, 'the screenshot is as wide as the window (IHDR width)');
  // #c62828: the failing row's outcome cell and the failed step of its timeline.
  t.true(countColour(png, '#c62828') > 500);
  // #2e7d32: the passing row.
  t.true(countColour(png, '#2e7d32') > 200);
});
