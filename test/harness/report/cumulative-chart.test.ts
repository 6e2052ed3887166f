// Issue 15: report.html draws the cumulative rate of the bug over the iterations with a verdict, with
// its 95% interval. Checked on the numbers (the chart's points read back against the grid are the
// rates and Wilson bounds after each iteration) and on a real sim run's report.html in Chromium.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import {
  cumulativeColours,
  cumulativeRateChart,
  cumulativeRates,
} from '../../../harness/report/cumulative-chart.ts';
import { writeHtmlReport } from '../../../harness/report/html-report.ts';
import type { IterationResult } from '../../../harness/scenario/events.ts';
import { wilsonInterval } from '../../../harness/stats/wilson.ts';
import { countColour, findChromium, screenshot } from '../../helpers/headless-chromium.ts';
import { runOnSim } from '../../scenarios/run-on-sim.ts';
import { makeRunDir } from './run-dir-fixture.ts';

function result(
  iteration: number,
  outcome: IterationResult['outcome'],
  matchesSignature?: boolean,
): IterationResult {
  return {
    scenario: 'upgrade-xpc',
    image: 'img',
    iteration,
    vm: `sxl-r-${iteration}`,
    outcome,
    ...(matchesSignature === undefined ? {} : { matchesSignature }),
    startedAt: '2026-11-28T00:00:00.000Z',
    durationMs: 1,
    steps: [],
    artifacts: [],
  };
}

test('the cumulative rate counts the target failures over the iterations with a verdict, errors and other failures left out', (t) => {
  const points = cumulativeRates([
    result(1, 'pass'),
    result(2, 'error'),
    result(3, 'fail', true),
    result(4, 'fail', false),
    result(5, 'pass'),
  ]);
  t.deepEqual(
    points.map((p) => [p.fail, p.n]),
    [
      [0, 1],
      [1, 2],
      [1, 3],
    ],
  );
  const { lo, hi } = wilsonInterval(1, 3);
  t.deepEqual(points[2]?.ci95, [lo, hi]);
  t.is(cumulativeRateChart([result(1, 'pass')]), '');
});

test('report.html carries the chart of a run that claims a rate, drawn without scripts or network', (t) => {
  const path = writeHtmlReport(makeRunDir());
  const html = readFileSync(path, 'utf8');
  t.regex(
    html,
    /<h3>Cumulative rate: upgrade-xpc on .*<\/h3><svg class="cumulative"[^>]*aria-label="cumulative rate: 1 of 2"/,
  );
  t.notRegex(html, /<script|https?:\/\//);
});

/** The chart read back: each point's rate and band as fractions, from the 0% and 100% grid lines. */
function readChart(svg: string): { rate: number; lo: number; hi: number }[] {
  const gridY = (label: string) => {
    const match = new RegExp(`y1="([\\d.]+)"[^>]*/><text[^>]*>${label}</text>`).exec(svg);
    if (!match) throw new Error(`no ${label} grid line in ${svg.slice(0, 200)}`);
    return Number(match[1]);
  };
  const [y0, y100] = [gridY('0%'), gridY('100%')];
  const fraction = (y: string) => (y0 - Number(y)) / (y0 - y100);
  const coords = (attr: string) =>
    (new RegExp(`<${attr} points="([^"]*)"`).exec(svg)?.[1] ?? '')
      .split(' ')
      .filter(Boolean)
      .map((pair) => pair.split(',') as [string, string]);
  const line = coords('polyline');
  const band = coords('polygon');
  // The band goes along the upper bounds, then back along the lower ones.
  return line.map(([x, y], i) => {
    const upper = band[i];
    const lower = band[band.length - 1 - i];
    if (!upper || !lower || upper[0] !== x || lower[0] !== x)
      throw new Error(`band and line part at point ${i}`);
    return { rate: fraction(y), hi: fraction(upper[1]), lo: fraction(lower[1]) };
  });
}

test('each point of the chart is the rate so far and its Wilson band, read back against the grid', (t) => {
  const outcomes: [IterationResult['outcome'], boolean?][] = [
    ['pass'],
    ['fail', true],
    ['error'],
    ['pass'],
    ['fail', true],
    ['fail', false],
    ['pass'],
    ['pass'],
    ['pass'],
    ['fail', true],
  ];
  const results = outcomes.map(([outcome, matches], i) => result(i + 1, outcome, matches));
  const drawn = readChart(cumulativeRateChart(results));
  const expected = cumulativeRates(results);
  t.is(drawn.length, expected.length);
  t.is(drawn.length, 8);
  for (const [i, point] of drawn.entries()) {
    const want = expected[i]!;
    // The SVG's coordinates carry one decimal of a 160-pixel plot: a pixel is 0.6 points.
    t.true(Math.abs(point.rate - want.rate) < 0.01, `rate at ${i}: ${point.rate} against ${want.rate}`);
    t.true(Math.abs(point.lo - want.ci95[0]) < 0.01, `lower bound at ${i}`);
    t.true(Math.abs(point.hi - want.ci95[1]) < 0.01, `upper bound at ${i}`);
  }
  t.true(Math.abs(drawn.at(-1)!.rate - 3 / 8) < 0.01);
});

const browser = findChromium();

(browser ? test : test.skip)(
  "a sim run's report.html draws its cumulative rate and band, as Chromium renders it",
  async (t) => {
    t.timeout(300_000);
    const run = await runOnSim('upgrade-xpc', {
      repeat: 12,
      seed: 15,
      quirks: { 'xpc-endpoint-lost-on-upgrade': 0.4 },
      evidence: 'never',
    });
    const [s] = run.summary.scenarios;
    if (!s) throw new Error(`no summary in ${run.runDir}`);
    const page = join(run.runDir, 'report.html');
    const html = readFileSync(page, 'utf8');
    const svg = /<svg class="cumulative".*?<\/svg>/s.exec(html)?.[0] ?? '';
    t.regex(svg, new RegExp(`aria-label="cumulative rate: ${s.fail} of ${s.pass + s.fail}"`));
    const { results } = JSON.parse(readFileSync(join(run.runDir, 'results.json'), 'utf8')) as {
      results: IterationResult[];
    };
    const drawn = readChart(svg);
    t.deepEqual(
      drawn.map((p) => Math.round(p.rate * 100)),
      cumulativeRates(results).map((p) => Math.round(p.rate * 100)),
    );
    t.true(Math.abs(drawn.at(-1)!.rate - (s.failureRate ?? -1)) < 0.01);
    const png = screenshot(browser ?? 'chromium', page, { height: 900 });
    t.true(countColour(png, cumulativeColours.band) > 2000, 'the interval band');
    t.true(countColour(png, cumulativeColours.line) > 300, 'the rate line');
  },
);
