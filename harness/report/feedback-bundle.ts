// `sysext-lab feedback <run-dir>`: a zip to attach to a Feedback Assistant report as it is: report.md
// (title, environment, builds, steps to reproduce, expected and actual, rate, signature log lines,
// attached files) plus the failing iteration's evidence, transcript, snapshots and run.json.
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { IterationResult } from '../scenario/events.ts';
import { shellCommand } from '../ssh/shell-quote.ts';
import { listFilesSorted } from './list-files.ts';
import { outcomeKind, type RunDirContents, readRunDir } from './run-dir.ts';
import { ZipWriter } from './zip-writer.ts';

export const personalDataNotice =
  'The bundle holds a sysdiagnose, which contains personal and system data (user and host names, ' +
  'network and process information). Review it before you attach it to a report.';

export interface FeedbackOptions {
  /** The iteration to attach. @default the first that failed, else the first that errored */
  iteration?: number;
  /** @default <runDir>/feedback-<runId>-<iteration>.zip */
  out?: string;
}

export interface FeedbackBundle {
  path: string;
  iteration: number;
  files: string[];
  /** For the CLI to print: a sysdiagnose holds personal data. */
  notice: string;
}

export async function createFeedbackBundle(
  runDir: string,
  options: FeedbackOptions = {},
): Promise<FeedbackBundle> {
  const run = readRunDir(runDir);
  const chosen =
    options.iteration !== undefined
      ? run.iterations.find((i) => i.iteration === options.iteration)
      : (run.iterations.find((i) => i.outcome === 'fail') ??
        run.iterations.find((i) => i.outcome === 'error'));
  if (!chosen) {
    throw new ConfigError(
      '--iteration',
      options.iteration !== undefined
        ? `No iteration ${options.iteration} in ${runDir}: results.json has ${run.iterations.map((i) => i.iteration).join(', ') || 'none'}`
        : `Nothing to report in ${runDir}: no iteration failed or errored`,
    );
  }
  const iterationDir = join(runDir, 'iterations', String(chosen.iteration));
  const attached = existsSync(iterationDir)
    ? listFilesSorted(iterationDir).map((f) => relative(runDir, f))
    : [];
  const extra = ['run.json', 'summary.json', 'results.json', 'junit.xml'].filter((f) =>
    existsSync(join(runDir, f)),
  );
  const files = [...extra, ...attached];
  const out = options.out ?? join(runDir, `feedback-${run.manifest.runId ?? 'run'}-${chosen.iteration}.zip`);
  const zip = new ZipWriter(out);
  try {
    await zip.addBuffer('report.md', feedbackReport(run, chosen, files));
    for (const file of files) await zip.addFile(file, join(runDir, file));
    await zip.close();
  } catch (error) {
    zip.destroy();
    await rm(out, { force: true });
    throw error;
  }
  return {
    path: out,
    iteration: chosen.iteration,
    files: ['report.md', ...files],
    notice: personalDataNotice,
  };
}

type Json = Record<string, unknown>;

/** report.md: Feedback Assistant's structure (title, description, steps, expected, actual, config). */
export function feedbackReport(
  run: RunDirContents,
  chosen: IterationResult,
  files: readonly string[],
): string {
  const m = run.manifest;
  const guest = m.guest;
  const guestText = guest
    ? `${guest.productName} ${guest.productVersion} (${guest.buildVersion})`
    : 'unknown';
  const scenario =
    run.scenarios.find((s) => s.id === chosen.scenario && s.image === chosen.image) ?? run.scenarios[0];
  const counted = scenario ? `${scenario.fail}/${scenario.iterations} iterations` : '';
  const kind = outcomeKind(chosen);
  const what = kind ?? chosen.outcome;
  const title = `${m.scenario ?? 'scenario'}: ${what} ${chosen.outcome === 'fail' ? 'fails' : 'errors'} on ${guestText}${counted ? ` (${counted})` : ''}`;
  const lines: string[] = [`# ${title}`, ''];
  lines.push('## Summary', '', chosen.message ?? '(no message)', '');
  lines.push('## Environment', '');
  const mac = m.host?.macos ? `, macOS ${m.host.macos}${m.host.model ? ` on ${m.host.model}` : ''}` : '';
  lines.push(`- Host: ${m.host ? `${m.host.os} ${m.host.release} ${m.host.arch}${mac}` : 'unknown'}`);
  lines.push(
    `- VM tool: ${m.tool ?? 'tart'} ${m.toolVersion ?? ''} (backend ${m.backend ?? 'unknown'})`.trimEnd(),
  );
  const digest = typeof m.imageDigest === 'string' ? ` (${m.imageDigest})` : '';
  lines.push(`- Image: ${m.image ?? 'unknown'}${digest}`);
  lines.push(`- Guest: ${guestText}`);
  for (const key of ['sip', 'developerMode'] as const) {
    const value = (m as Json)[key] ?? (m.guest as Json | undefined)?.[key];
    lines.push(
      `- ${key === 'sip' ? 'SIP' : 'Developer mode'}: ${value === undefined ? 'not recorded' : String(value)}`,
    );
  }
  if (m.seed !== undefined)
    lines.push(`- Simulation seed ${m.seed}, quirks ${JSON.stringify(m.quirks ?? {})}`);
  lines.push('', '## Builds', '');
  for (const build of m.builds ?? []) {
    const bundles = (build.bundles ?? []).map((b) => `${b.bundleId} ${b.shortVersion} (${b.bundleVersion})`);
    const signing = (build as unknown as Json).signing;
    lines.push(
      `- ${build.role}: ${build.path.split('/').pop()} sha256:${build.sha256}${bundles.length ? ` — ${bundles.join(', ')}` : ''}${signing ? `; signing: ${typeof signing === 'string' ? signing : JSON.stringify(signing)}` : ''}`,
    );
  }
  lines.push('', '## Steps to reproduce', '');
  chosen.steps.forEach((step, index) => {
    lines.push(`${index + 1}. ${step.name}${step.ok ? '' : ` — fails here: ${step.error ?? ''}`}`);
  });
  if (m.command?.length) {
    lines.push(
      '',
      "Exact command (sysext-lab, from the run directory's run.json):",
      '',
      '```sh',
      shellCommand(m.command),
      '```',
    );
  }
  lines.push('', '## Expected', '', `Every step succeeds; the scenario's checks hold (${m.scenario}).`);
  lines.push(
    '',
    '## Actual',
    '',
    `Iteration ${chosen.iteration}: ${chosen.outcome}${kind ? ` (${kind})` : ''}: ${chosen.message ?? ''}`,
  );
  // The extension was approved by editing sysextd's database, not as a user does: Apple must know.
  if (chosen.findings?.approval) lines.push('', `Approval: ${chosen.findings.approval}.`);
  lines.push('', '## Measured rate', '');
  if (scenario) {
    lines.push(
      `${scenario.fail} of ${scenario.iterations} iterations failed (${scenario.pass} passed, ${scenario.error} errored).`,
    );
    const rate = scenario.failureRate;
    if (rate !== null) {
      lines.push(
        `Failure rate ${(rate * 100).toFixed(1)} %, 95 % interval ${(scenario.ci95[0] * 100).toFixed(1)}–${(scenario.ci95[1] * 100).toFixed(1)} % (Wilson).`,
      );
    }
    lines.push('', scenario.sentence);
  } else lines.push('(results.json has no counts)');
  lines.push('', '## Log lines carrying the signature', '');
  const logLines = signatureLines(run.runDir, chosen);
  lines.push(...(logLines.length ? ['```', ...logLines, '```'] : ['(no unified log slice was collected)']));
  lines.push('', '## Attached files', '', ...files.map((f) => `- ${f}`), '');
  return lines.join('\n');
}

const SIGNAL = /error|fail|invalid|not found|cannot|denied|unable|lost|1102|handleNewFlow|sleep|wake/i;

/** Up to 40 unified-log lines of the iteration that look like the failure. */
function signatureLines(runDir: string, chosen: IterationResult): string[] {
  const path = join(runDir, 'iterations', String(chosen.iteration), 'evidence', 'unified-log.ndjson');
  if (!existsSync(path)) return [];
  const out: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as Json;
      const message = String(entry.eventMessage ?? '');
      if (!SIGNAL.test(message) && entry.messageType !== 'Error' && entry.messageType !== 'Fault') continue;
      const process = String(entry.processImagePath ?? '')
        .split('/')
        .pop();
      out.push(`${entry.timestamp} ${process}[${entry.processID}] ${message}`);
      if (out.length >= 40) break;
    } catch {
      // A cut line at the end of a slice is skipped.
    }
  }
  return out;
}
