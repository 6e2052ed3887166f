// <run-dir>/report.html: one self-contained page (inline CSS, no scripts, no network): the summary
// with rates and intervals, a table of iterations (failing rows marked red, errors amber) and per
// iteration a timeline of its steps, scaled by duration, with links to the evidence. Made from the
// run directory's run.json and results.json once the run has ended.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { IterationResult, RunEvent } from '../scenario/events.ts';
import { cumulativeRateChart } from './cumulative-chart.ts';
import { listFilesSorted } from './list-files.ts';
import type { Reporter } from './reporter.ts';
import { type RunDirContents, readRunDir } from './run-dir.ts';
import type { ScenarioSummary } from './run-summary.ts';
import { writeFileAtomic } from './write-atomic.ts';

/** Row colours; the screenshot test looks for FAIL_RGB. */
export const outcomeColours = { pass: '#2e7d32', fail: '#c62828', error: '#ef6c00' } as const;

const CSS = `
body{font:14px/1.4 -apple-system,Helvetica,Arial,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:6px 10px;border:1px solid #ddd;text-align:left}
tr.pass td.outcome{background:${outcomeColours.pass};color:#fff}
tr.fail td.outcome{background:${outcomeColours.fail};color:#fff}
tr.error td.outcome{background:${outcomeColours.error};color:#fff}
.timeline{display:flex;height:28px;margin:6px 0;border:1px solid #ccc;width:100%}
.timeline div{overflow:hidden;white-space:nowrap;font-size:11px;line-height:28px;padding:0 3px;color:#fff;border-right:1px solid #fff}
.ok{background:#607d8b}.bad{background:${outcomeColours.fail}}
code{background:#f4f4f4;padding:1px 4px}
`;

/**
 * Writes report.html on run-finished, after the reporters of run.json and results.json (place it
 * after them). A report that cannot be written is a problem to tell, not a reason to fail the run.
 */
export class HtmlReporter implements Reporter {
  constructor(
    private readonly runDir: string,
    private readonly onProblem: (message: string) => void,
  ) {}

  handle(event: RunEvent): void {
    if (event.type !== 'run-finished') return;
    try {
      writeHtmlReport(this.runDir);
    } catch (error) {
      this.onProblem(`report.html was not written: ${(error as Error).message}`);
    }
  }
}

export function writeHtmlReport(runDir: string): string {
  const path = join(runDir, 'report.html');
  writeFileAtomic(path, renderHtmlReport(readRunDir(runDir)));
  return path;
}

export function renderHtmlReport(run: RunDirContents): string {
  const m = run.manifest;
  const parts: string[] = [];
  parts.push(`<h1>sysext-lab run ${esc(String(m.runId ?? ''))}: ${esc(String(m.scenario ?? ''))}</h1>`);
  const guest = m.guest
    ? `${m.guest.productName} ${m.guest.productVersion} (${m.guest.buildVersion})`
    : 'unknown';
  parts.push(
    `<p>Image <code>${esc(String(m.image ?? ''))}</code>, guest ${esc(guest)}, backend ${esc(String(m.backend ?? ''))}, exit code ${esc(String(m.exitCode ?? ''))}${m.interrupted ? ' (interrupted)' : ''}</p>`,
  );
  parts.push(
    '<h2>Summary</h2><table><tr><th>Scenario</th><th>Image</th><th>Iterations</th><th>Pass</th><th>Fail</th><th>Error</th><th>Failure rate</th></tr>',
  );
  for (const s of run.scenarios) {
    parts.push(
      `<tr><td>${esc(String(s.id))}</td><td>${esc(String(s.image))}</td><td>${s.iterations}</td><td>${s.pass}</td><td>${s.fail}</td><td>${s.error}</td><td>${esc(rateText(s))}</td></tr>`,
    );
  }
  parts.push('</table>');
  // The cumulative rate with its band, per scenario and image that claims a rate.
  for (const s of run.scenarios.filter((x) => x.failureRate !== null)) {
    const chart = cumulativeRateChart(
      run.iterations.filter((r) => r.scenario === s.id && r.image === s.image),
    );
    if (chart)
      parts.push(`<h3>Cumulative rate: ${esc(String(s.id))} on ${esc(String(s.image))}</h3>${chart}`);
  }
  parts.push(
    '<h2>Iterations</h2><table><tr><th>#</th><th>Outcome</th><th>Duration</th><th>Message</th></tr>',
  );
  for (const it of run.iterations) {
    parts.push(
      `<tr class="${it.outcome}"><td><a href="#iteration-${it.iteration}">${it.iteration}</a></td><td class="outcome">${it.outcome.toUpperCase()}</td><td>${seconds(it.durationMs)}</td><td>${esc(it.message ?? '')}${approvalLabel(it)}</td></tr>`,
    );
  }
  parts.push('</table>');
  for (const it of run.iterations) parts.push(iterationSection(run.runDir, it));
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>sysext-lab ${esc(String(m.runId ?? ''))}</title><style>${CSS}</style></head><body>\n${parts.join('\n')}\n</body></html>\n`;
}

function iterationSection(runDir: string, it: IterationResult): string {
  const total = it.steps.reduce((sum, s) => sum + s.durationMs, 0) || 1;
  const blocks = it.steps.map((s) => {
    // A floor keeps short steps visible; flex shrinks the rest to fit.
    const width = Math.max(4, (s.durationMs / total) * 100);
    const label = `${s.name} (${seconds(s.durationMs)})${s.error ? `: ${s.error}` : ''}`;
    return `<div class="${s.ok ? 'ok' : 'bad'}" style="flex:${width.toFixed(2)} 1 0" title="${esc(label)}">${esc(s.name)}</div>`;
  });
  const steps = it.steps
    .map(
      (s) =>
        `<li>${s.ok ? 'ok' : '<b>FAILED</b>'} ${esc(s.name)} — ${seconds(s.durationMs)}${s.error ? `: ${esc(s.error)}` : ''}</li>`,
    )
    .join('');
  const dir = join(runDir, 'iterations', String(it.iteration));
  const links = (existsSync(dir) ? listFilesSorted(dir) : [])
    .map((file) => relative(runDir, file).split('\\').join('/'))
    .map((rel) => `<li><a href="${esc(encodeURI(rel))}">${esc(rel)}</a></li>`)
    .join('');
  return `<h2 id="iteration-${it.iteration}">Iteration ${it.iteration}: ${it.outcome.toUpperCase()}</h2>
<div class="timeline">${blocks.join('')}</div><ol>${steps}</ol><details><summary>Evidence and files</summary><ul>${links}</ul></details>`;
}

/** An approval that skipped what a user does (`approval: database (bypassed)`) is said on its row. */
function approvalLabel(it: IterationResult): string {
  const approval = it.findings?.approval;
  return approval ? ` <b>approval: ${esc(approval)}</b>` : '';
}

function rateText(s: ScenarioSummary): string {
  // null when no iteration reached a verdict, or the run could not show the bug.
  if (s.failureRate === null) return 'n/a';
  return `${pct(s.failureRate)} (95 % CI ${pct(s.ci95[0])}–${pct(s.ci95[1])})`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function esc(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
