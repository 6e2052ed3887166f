// The hardware report `doctor --record DIR` writes: report.json (versions, checks, and an index of
// the raw outputs) and one file per output under host/ and guest/, exactly as the command printed
// it. test/fixtures/hardware/<name>/ holds such reports; the replay test reads them back.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DoctorCheck } from './doctor-check.ts';
import type { RawOutput, RawOutputs } from './raw-outputs.ts';

export const HARDWARE_REPORT_FILE = 'report.json';

export interface HardwareReportEntry {
  side: 'host' | 'guest';
  key: string;
  command: string;
  exitCode: number | null;
  /** Relative to the report's folder. */
  stdoutFile: string;
  stderrFile: string;
}

export interface HardwareReport {
  format: 'sysext-lab-hardware-report/1';
  versions: Record<string, string>;
  checks: DoctorCheck[];
  outputs: HardwareReportEntry[];
}

export async function writeHardwareReport(
  dir: string,
  report: { checks: DoctorCheck[]; versions: object },
  raw: RawOutputs,
): Promise<void> {
  await mkdir(join(dir, 'host'), { recursive: true });
  await mkdir(join(dir, 'guest'), { recursive: true });
  const outputs: HardwareReportEntry[] = [];
  for (const [n, output] of raw.entries.entries()) {
    const base = `${output.side}/${String(n + 1).padStart(2, '0')}-${output.key}`;
    await writeFile(join(dir, `${base}.stdout`), output.stdout);
    await writeFile(join(dir, `${base}.stderr`), output.stderr);
    outputs.push({
      side: output.side,
      key: output.key,
      command: output.command,
      exitCode: output.exitCode,
      stdoutFile: `${base}.stdout`,
      stderrFile: `${base}.stderr`,
    });
  }
  const file: HardwareReport = {
    format: 'sysext-lab-hardware-report/1',
    versions: report.versions as Record<string, string>,
    checks: report.checks,
    outputs,
  };
  await writeFile(join(dir, HARDWARE_REPORT_FILE), `${JSON.stringify(file, null, 2)}\n`);
}

/** Reads a report back: its index and every raw output. */
export async function readHardwareReport(
  dir: string,
): Promise<{ report: HardwareReport; outputs: RawOutput[] }> {
  const report = JSON.parse(await readFile(join(dir, HARDWARE_REPORT_FILE), 'utf8')) as HardwareReport;
  if (report.format !== 'sysext-lab-hardware-report/1') {
    throw new Error(
      `Cannot read the hardware report in ${dir}: format is ${String(report.format)}, expected sysext-lab-hardware-report/1`,
    );
  }
  const outputs: RawOutput[] = [];
  for (const entry of report.outputs) {
    outputs.push({
      side: entry.side,
      key: entry.key,
      command: entry.command,
      exitCode: entry.exitCode,
      stdout: await readFile(join(dir, entry.stdoutFile), 'utf8'),
      stderr: await readFile(join(dir, entry.stderrFile), 'utf8'),
    });
  }
  return { report, outputs };
}
