// How doctor's report reads: one line per check (`ok`, `warn`, `fail`), the fix and the reference
// indented under anything that is not ok; `--json` gives `{ checks: [{ id, status, message, fix, reference }] }`.
import type { DoctorReport } from './run-doctor.ts';

export function formatDoctorText(report: DoctorReport): string {
  const lines: string[] = [];
  const v = report.versions;
  lines.push(
    `sysext-lab doctor ${v.harness}: ${v.backend} (${v.tool} ${v.toolVersion}), image ${v.image}${v.imageDigest ? ` (${v.imageDigest})` : ''}`,
  );
  for (const c of report.checks) {
    lines.push(`${c.status.padEnd(4)} ${c.id.padEnd(22)} ${c.message}`);
    if (c.status !== 'ok') {
      if (c.fix) lines.push(`     ${''.padEnd(22)} fix: ${c.fix}`);
      lines.push(`     ${''.padEnd(22)} see: ${c.reference}`);
    }
  }
  const fails = report.checks.filter((c) => c.status === 'fail').length;
  const warns = report.checks.filter((c) => c.status === 'warn').length;
  lines.push(`${report.checks.length} checks: ${fails} failed, ${warns} warning(s)`);
  return `${lines.join('\n')}\n`;
}

export function formatDoctorJson(report: DoctorReport): string {
  return `${JSON.stringify({ checks: report.checks, versions: report.versions, exitCode: report.exitCode }, null, 2)}\n`;
}
