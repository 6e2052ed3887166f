// Issue 15, "Done when": `history` renders 30 sim nights into one page, checked in headless Chromium
// with a screenshot. Each night is a real sim run of upgrade-xpc (10% of upgrades lose the endpoint;
// the last night 90%), dated one day apart as nightly CI would start them; the last night must be
// flagged, and the page must draw the band, the line and the red flag without network or scripts.
// Two runs of another image on the first night make a second series, pooled into one night.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { historyColours } from '../../../harness/report/history-page.ts';
import { runCli } from '../../helpers/cli-run.ts';
import { countColour, findChromium, screenshot } from '../../helpers/headless-chromium.ts';
import { makeSimEnv } from '../../helpers/sim-env.ts';
import { runOnSim } from '../../scenarios/run-on-sim.ts';
import { sized } from '../../scenarios/test-size.ts';

const QUIRK = 'xpc-endpoint-lost-on-upgrade';

const browser = findChromium();

(browser ? test : test.skip)(
  '30 nights on one page: band, line, and the bad last night flagged, in a real browser',
  async (t) => {
    t.timeout(900_000);
    const nights = sized(30, 8);
    const dir = mkdtempSync(join(tmpdir(), 'sxl-history-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const first = Date.UTC(2026, 10, 1, 2, 0, 0);
    const runDirs: string[] = [];
    for (let i = 0; i < nights; i += 1) {
      const last = i === nights - 1;
      const run = await runOnSim('upgrade-xpc', {
        repeat: last ? 8 : 3,
        seed: 100 + i,
        quirks: { [QUIRK]: last ? 0.9 : 0.1 },
        evidence: 'never',
        artifactsDir: dir,
      });
      // The "N of 21 before" below counts every earlier iteration: an error would drop one of them.
      // Said here with its cause (once seen as "of 20" in a loaded make test, its run then deleted).
      t.deepEqual(
        run.results.filter((r) => r.outcome === 'error').map((r) => `${r.errorType}: ${r.message}`),
        [],
        `night ${i + 1}`,
      );
      // Nightly CI starts one run a night: the run's start date is its night.
      const manifestPath = join(run.runDir, 'run.json');
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      manifest.startedAt = new Date(first + i * 86_400_000).toISOString();
      writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
      runDirs.push(run.runDir);
    }
    // Another image, two runs on the first night: a series of its own, its runs pooled into one night.
    // Copies of the first night's run, edited as a run on that image would have written them.
    const otherImage = 'ghcr.io/cirruslabs/macos-tahoe-base:latest';
    const [firstRun] = runDirs;
    if (!firstRun) throw new Error('no night ran');
    let otherFail = 0;
    for (const copy of ['other-image-a', 'other-image-b']) {
      const copyDir = join(dir, copy);
      cpSync(firstRun, copyDir, { recursive: true });
      const resultsPath = join(copyDir, 'results.json');
      const results = JSON.parse(readFileSync(resultsPath, 'utf8'));
      for (const s of results.scenarios) {
        s.image = otherImage;
        otherFail += s.fail;
      }
      writeFileSync(resultsPath, JSON.stringify(results));
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
    t.is(html.match(/<tr[^>]*><td>2026-/g)?.length, nights + 1);
    t.regex(html, new RegExp(`<tr class="flag"><td>${lastDate}</td>`));
    const sections = [...html.matchAll(/<h2>upgrade-xpc on ([^<]+)<\/h2>/g)].map((m) => m[1]);
    t.deepEqual(sections, ['ghcr.io/cirruslabs/macos-sequoia-base:latest', otherImage]);
    const otherSection = html.slice(html.indexOf(`<h2>upgrade-xpc on ${otherImage}</h2>`));
    t.is(otherSection.match(/<tr[^>]*><td>2026-/g)?.length, 1);
    t.regex(otherSection, new RegExp(`<td>2026-11-01</td><td>${otherFail} of 6</td>`));

    const png = screenshot(browser ?? 'chromium', path);
    t.true(countColour(png, historyColours.band) > 2000, 'the interval band');
    t.true(countColour(png, historyColours.line) > 300, 'the rate line');
    t.true(countColour(png, historyColours.flag) > 150, 'the flagged night');
  },
);

test('history refuses a missing folder, one without run directories and a bad --window: exit 2', async (t) => {
  const sim = makeSimEnv();
  const none = await runCli(sim, ['history']);
  t.is(none.code, 2);
  t.regex(none.stderr, /history takes one folder of run directories, got 0/);
  const empty = mkdtempSync(join(tmpdir(), 'sxl-history-empty-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  const noRuns = await runCli(sim, ['history', empty]);
  t.is(noRuns.code, 2);
  t.regex(noRuns.stderr, /No run directories \(with results\.json\) in /);
  const window = await runCli(sim, ['history', empty, '--window', '0']);
  t.is(window.code, 2);
  t.regex(window.stderr, /--window must be a whole number >= 1, got "0"/);
});
