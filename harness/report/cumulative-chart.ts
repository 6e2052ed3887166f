// report.html's chart of one scenario and image: the cumulative rate of the bug over the iterations
// that reached a verdict, with its 95% Wilson band, as inline SVG. It shows whether the run has
// settled: a band still wide at the end says "run more", a rate that drifts says the runs differ.
import type { IterationResult } from '../scenario/events.ts';
import { wilsonInterval } from '../stats/wilson.ts';

export const cumulativeColours = { band: '#bbdefb', line: '#1565c0' } as const;

export interface CumulativePoint {
  /** Iterations with a verdict so far. */
  n: number;
  fail: number;
  rate: number;
  ci95: [number, number];
}

/** After each iteration with a verdict (pass, or a fail matching the signature): the rate so far. */
export function cumulativeRates(results: readonly IterationResult[]): CumulativePoint[] {
  const points: CumulativePoint[] = [];
  let n = 0;
  let fail = 0;
  for (const r of results) {
    const target = r.outcome === 'fail' && r.matchesSignature === true;
    if (r.outcome !== 'pass' && !target) continue;
    n += 1;
    if (target) fail += 1;
    const { lo, hi } = wilsonInterval(fail, n);
    points.push({ n, fail, rate: fail / n, ci95: [lo, hi] });
  }
  return points;
}

const WIDTH = 700;
const HEIGHT = 200;
const PAD = { left: 44, right: 12, top: 10, bottom: 30 };

/** The SVG, or '' with fewer than two points (nothing to draw a line through). */
export function cumulativeRateChart(results: readonly IterationResult[]): string {
  const points = cumulativeRates(results);
  if (points.length < 2) return '';
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => (PAD.left + (i * plotW) / (points.length - 1)).toFixed(1);
  const y = (rate: number) => (PAD.top + plotH * (1 - rate)).toFixed(1);
  const band = [
    ...points.map((p, i) => `${x(i)},${y(p.ci95[1])}`),
    ...points.map((p, i) => `${x(i)},${y(p.ci95[0])}`).reverse(),
  ].join(' ');
  const line = points.map((p, i) => `${x(i)},${y(p.rate)}`).join(' ');
  const grid = [0, 0.5, 1]
    .map(
      (r) =>
        `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(r)}" y2="${y(r)}" stroke="#e0e0e0"/><text x="${PAD.left - 6}" y="${Number(y(r)) + 4}" text-anchor="end" font-size="11">${r * 100}%</text>`,
    )
    .join('');
  const last = points[points.length - 1]!;
  const axis = `<text x="${PAD.left}" y="${HEIGHT - 8}" font-size="11">1</text><text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end" font-size="11">${last.n} iterations with a verdict</text>`;
  return `<svg class="cumulative" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="cumulative rate: ${last.fail} of ${last.n}">${grid}<polygon points="${band}" fill="${cumulativeColours.band}"/><polyline points="${line}" fill="none" stroke="${cumulativeColours.line}" stroke-width="2"/>${axis}</svg>`;
}
