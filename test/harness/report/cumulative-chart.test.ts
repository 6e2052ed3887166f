import { readFileSync } from 'node:fs';
import test from 'ava';
import { cumulativeRateChart, cumulativeRates } from '../../../harness/report/cumulative-chart.ts';
import { writeHtmlReport } from '../../../harness/report/html-report.ts';
import type { IterationResult } from '../../../harness/scenario/events.ts';
import { wilsonInterval } from '../../../harness/stats/wilson.ts';
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
