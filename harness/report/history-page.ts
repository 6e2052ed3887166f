// history.html over many run directories (nightly CI): per scenario and image, the rate of the bug
// per night with its 95% Wilson band, drawn as inline SVG (no scripts, no network), and a red mark
// on each night significantly above the previous window (harness/stats/night-flags.ts).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { flagNights, type NightFlag, nightFlagDefaults } from '../stats/night-flags.ts';
import { wilsonInterval } from '../stats/wilson.ts';
import { readRunDir } from './run-dir.ts';

/** Colours the screenshot test looks for. */
export const historyColours = { band: '#bbdefb', line: '#1565c0', flag: '#c62828' } as const;

export interface Night {
  /** YYYY-MM-DD (UTC) of the runs' start. */
  date: string;
  fail: number;
  /** Iterations with a verdict. */
  n: number;
  /** Iterations in all, errors and other failures included. */
  iterations: number;
  runDirs: string[];
  ci95: [number, number];
  flag: NightFlag;
}

export interface HistorySeries {
  scenario: string;
  image: string;
  nights: Night[];
}

/** Every run directory under `dir` (one level), grouped into nights per scenario and image. */
export function readHistory(dir: string, options: { window?: number } = {}): HistorySeries[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch (error) {
    throw new ConfigError('history', `Cannot read ${dir}: ${(error as Error).message}`);
  }
  const series = new Map<
    string,
    { scenario: string; image: string; nights: Map<string, Omit<Night, 'ci95' | 'flag'>> }
  >();
  let runs = 0;
  for (const name of names) {
    let run: ReturnType<typeof readRunDir>;
    try {
      run = readRunDir(join(dir, name));
    } catch {
      // Not a run directory (or one that died before results.json): not a night.
      continue;
    }
    runs += 1;
    const started = String(run.manifest.startedAt ?? '');
    const date = /^\d{4}-\d{2}-\d{2}/.exec(started)?.[0] ?? 'unknown';
    for (const s of run.scenarios) {
      // A run that cannot show the bug (it claims no rate) is not a night of this bug.
      if (s.failureRate === null && s.pass + s.fail > 0) continue;
      const key = `${s.id}\0${s.image}`;
      const entry = series.get(key) ?? { scenario: s.id, image: s.image, nights: new Map() };
      series.set(key, entry);
      const night = entry.nights.get(date) ?? { date, fail: 0, n: 0, iterations: 0, runDirs: [] };
      night.fail += s.fail;
      night.n += s.pass + s.fail;
      night.iterations += s.iterations;
      night.runDirs.push(run.runDir);
      entry.nights.set(date, night);
    }
  }
  if (runs === 0) throw new ConfigError('history', `No run directories (with results.json) in ${dir}`);
  return [...series.values()]
    .sort((a, b) => `${a.scenario} ${a.image}`.localeCompare(`${b.scenario} ${b.image}`))
    .map(({ scenario, image, nights }) => {
      const ordered = [...nights.values()].sort((a, b) => a.date.localeCompare(b.date));
      const flags = flagNights(ordered, { window: options.window });
      return {
        scenario,
        image,
        nights: ordered.map((night, i) => {
          const { lo, hi } = wilsonInterval(night.fail, night.n);
          return { ...night, ci95: [lo, hi] as [number, number], flag: flags[i]! };
        }),
      };
    });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const WIDTH = 900;
const HEIGHT = 260;
const PAD = { left: 48, right: 16, top: 16, bottom: 40 };

/** One series as an SVG chart: the band, the rate line and points, the flagged nights in red. */
function chart(series: HistorySeries): string {
  const nights = series.nights;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (nights.length === 1 ? plotW / 2 : (i * plotW) / (nights.length - 1));
  const y = (rate: number) => PAD.top + plotH * (1 - rate);
  const withData = nights.map((night, i) => ({ night, i })).filter(({ night }) => night.n > 0);
  const band = [
    ...withData.map(({ night, i }) => `${x(i).toFixed(1)},${y(night.ci95[1]).toFixed(1)}`),
    ...[...withData].reverse().map(({ night, i }) => `${x(i).toFixed(1)},${y(night.ci95[0]).toFixed(1)}`),
  ].join(' ');
  const line = withData
    .map(({ night, i }) => `${x(i).toFixed(1)},${y(night.fail / night.n).toFixed(1)}`)
    .join(' ');
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (r) =>
        `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(r)}" y2="${y(r)}" stroke="#e0e0e0"/><text x="${PAD.left - 6}" y="${y(r) + 4}" text-anchor="end" font-size="11">${r * 100}%</text>`,
    )
    .join('');
  const labelEvery = Math.max(1, Math.ceil(nights.length / 10));
  const labels = nights
    .map((night, i) =>
      i % labelEvery === 0 || i === nights.length - 1
        ? `<text x="${x(i)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle" font-size="11">${escapeHtml(night.date.slice(5))}</text>`
        : '',
    )
    .join('');
  const points = withData
    .map(({ night, i }) => {
      const flagged = night.flag.flagged;
      const title = `${night.date}: ${night.fail} of ${night.n} (${Math.round(night.ci95[0] * 100)}%-${Math.round(night.ci95[1] * 100)}%)${flagged ? `, above the previous nights (p = ${night.flag.pValue?.toPrecision(2)})` : ''}`;
      return `<circle cx="${x(i).toFixed(1)}" cy="${y(night.fail / night.n).toFixed(1)}" r="${flagged ? 9 : 3.5}" fill="${flagged ? historyColours.flag : historyColours.line}"><title>${escapeHtml(title)}</title></circle>`;
    })
    .join('');
  return `<svg width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="rate per night">${grid}<polygon points="${band}" fill="${historyColours.band}"/><polyline points="${line}" fill="none" stroke="${historyColours.line}" stroke-width="2"/>${points}${labels}</svg>`;
}

export function renderHistoryPage(all: HistorySeries[], options: { window?: number } = {}): string {
  const window = options.window ?? nightFlagDefaults.window;
  const sections = all.map((series) => {
    const flagged = series.nights.filter((n) => n.flag.flagged);
    const rows = series.nights
      .map(
        (n) =>
          `<tr${n.flag.flagged ? ' class="flag"' : ''}><td>${escapeHtml(n.date)}</td><td>${n.fail} of ${n.n}</td><td>${n.n === 0 ? '-' : `${Math.round((n.fail / n.n) * 100)}% (${Math.round(n.ci95[0] * 100)}%-${Math.round(n.ci95[1] * 100)}%)`}</td><td>${n.iterations - n.n}</td><td>${n.flag.flagged ? `above the previous ${window} nights (${n.flag.window?.fail} of ${n.flag.window?.n}), p = ${n.flag.pValue?.toPrecision(2)}` : ''}</td></tr>`,
      )
      .join('\n');
    const summary =
      flagged.length === 0
        ? `No night is significantly above its previous ${window} nights.`
        : `${flagged.length} night(s) significantly above the previous ${window} nights: ${flagged.map((n) => n.date).join(', ')}.`;
    return `<h2>${escapeHtml(series.scenario)} on ${escapeHtml(series.image)}</h2>
<p>${escapeHtml(summary)}</p>
${chart(series)}
<table><tr><th>Night</th><th>Failures</th><th>Rate (95% CI)</th><th>Not counted</th><th>Flag</th></tr>
${rows}</table>`;
  });
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>sysext-lab history</title>
<style>
body{font:14px/1.4 -apple-system,Helvetica,Arial,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:4px 8px;border:1px solid #ddd;text-align:left}
tr.flag td{color:${historyColours.flag};font-weight:bold}
</style></head><body>
<h1>Rate of the bug per night</h1>
<p>Each point is one night's rate (failures that match the signature over iterations with a verdict); the band is its 95% Wilson interval. A red point is a night whose rate is significantly above the pooled previous ${window} nights (Fisher's exact test, 5%).</p>
${sections.join('\n')}
</body></html>
`;
}
