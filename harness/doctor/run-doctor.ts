// `sysext-lab doctor`: the host checks, then one throwaway VM for the guest checks; the report
// (and with `record`, every raw output) for a user to act on or to attach to an issue.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendProfile, HostFacts } from '../backends/backend-profile.ts';
import { harnessVersion } from '../version.ts';
import { CHECK_IDS, check, type DoctorCheck, doctorExitCode } from './doctor-check.ts';
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
    /** The machine doctor ran on (the sim: whatever runs the simulation). */
    host: string;
    image: string;
    imageDigest?: string;
  };
}

export async function runDoctor(profile: BackendProfile, options: DoctorOptions): Promise<DoctorReport> {
  const raw = new RawOutputs();
  const wait = { signal: options.signal, timeoutMs: 60_000 };
  const workDir = options.recordDir ?? (await mkdtemp(join(tmpdir(), 'sxl-doctor-')));
  await mkdir(workDir, { recursive: true });
  const guests = () =>
    guestChecks({
      profile,
      image: options.image,
      raw,
      workDir,
      captureUi: options.recordDir !== undefined,
      sleepProbe: options.sleepProbe,
      signal: options.signal,
      note: options.note,
    });
  try {
    // A tart that does not run is doctor's first finding, not a crash: nothing else can be checked.
    const description = await profile.describe(wait).catch((error: Error) => error);
    const toolVersion = description instanceof Error ? '' : description.toolVersion;
    const fleet = profile.doctor.fleetChecks;
    const checks = fleet
      ? await fleet.call(profile.doctor, description, wait)
      : await hostChecks({ profile, raw, wait, toolVersion });
    if (fleet) {
      // A fleet that cannot be reached or used gets no throwaway VM: its failing check says why.
      if (options.guest !== false && !checks.some((c) => c.status === 'fail'))
        checks.push(...(await guests()));
    } else if (description instanceof Error) {
      checks.push(
        check(
          'host-tart',
          'fail',
          description.message,
          'tart quick start',
          'Install tart 2.27 or later (brew install cirruslabs/cli/tart) or set TART_BIN.',
        ),
      );
    } else if (options.guest !== false) {
      checks.push(...(await guests()));
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
        tool: description instanceof Error ? '' : description.tool,
        toolVersion,
        host: description instanceof Error ? '' : describeHost(description.host),
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

function describeHost(host: HostFacts): string {
  const mac = host.macos ? `, macOS ${host.macos}${host.model ? ` on ${host.model}` : ''}` : '';
  return `${host.os} ${host.release} ${host.arch}${mac}`;
}
