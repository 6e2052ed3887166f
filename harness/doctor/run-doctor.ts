// `sysext-lab doctor`: the host checks, then one throwaway VM for the guest checks; the report
// (and with `record`, every raw output) for a user to act on or to attach to an issue.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendProfile } from '../backends/backend-profile.ts';
import { harnessVersion } from '../version.ts';
import { CHECK_IDS, type DoctorCheck, doctorExitCode } from './doctor-check.ts';
import { guestChecks } from './guest-checks.ts';
import { writeHardwareReport } from './hardware-report.ts';
import { hostChecks } from './host-checks.ts';
import { RawOutputs } from './raw-outputs.ts';

export interface DoctorOptions {
  image: string;
  /** Write a hardware report (every raw output, the UI tree, a screenshot, versions) here. */
  recordDir?: string;
  /** Boot a VM for the guest checks. @default true */
  guest?: boolean;
  /** Run the guest-sleep probe. @default true */
  sleepProbe?: boolean;
  signal?: AbortSignal;
  /** Progress lines (stderr in the CLI). */
  note?: (text: string) => void;
}

export interface DoctorReport {
  checks: DoctorCheck[];
  exitCode: 0 | 1;
  versions: {
    harness: string;
    backend: string;
    tool: string;
    toolVersion: string;
    image: string;
    imageDigest?: string;
  };
}

export async function runDoctor(profile: BackendProfile, options: DoctorOptions): Promise<DoctorReport> {
  const raw = new RawOutputs();
  const wait = { signal: options.signal, timeoutMs: 60_000 };
  const workDir = options.recordDir ?? (await mkdtemp(join(tmpdir(), 'sxl-doctor-')));
  await mkdir(workDir, { recursive: true });
  try {
    const description = await profile.vms.describe(wait);
    const checks = await hostChecks({ profile, raw, wait, toolVersion: description.toolVersion });
    if (options.guest !== false) {
      checks.push(
        ...(await guestChecks({
          profile,
          image: options.image,
          raw,
          workDir,
          captureUi: options.recordDir !== undefined,
          sleepProbe: options.sleepProbe,
          signal: options.signal,
          note: options.note,
        })),
      );
    }
    const imageDigest = await profile.vms.imageDigest(options.image, wait).catch(() => undefined);
    // One line per id, in the documented order; a later line for an id (the boot's verdict) wins.
    const byId = new Map<string, DoctorCheck>();
    for (const c of checks) byId.set(c.id, c);
    const ordered = CHECK_IDS.flatMap((id) => {
      const found = byId.get(id);
      return found ? [found] : [];
    });
    const report: DoctorReport = {
      checks: ordered,
      exitCode: doctorExitCode(ordered),
      versions: {
        harness: harnessVersion,
        backend: profile.kind,
        tool: description.tool,
        toolVersion: description.toolVersion,
        image: options.image,
        ...(imageDigest ? { imageDigest } : {}),
      },
    };
    if (options.recordDir) await writeHardwareReport(options.recordDir, report, raw);
    return report;
  } finally {
    if (!options.recordDir) await rm(workDir, { recursive: true, force: true });
  }
}
