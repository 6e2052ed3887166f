// launchd jobs on the guest: a network extension's job is labelled
// NetworkExtension.<bundle-id>.<short>.<build> (macos-outputs.md §1.4), so it is found by prefix.
import { CommandError } from '../errors.ts';
import { parseLaunchctlError } from '../parse/launchctl-error.ts';
import { parseLaunchctlList } from '../parse/launchctl-list.ts';
import { type LaunchctlPrint, parseLaunchctlPrint } from '../parse/launchctl-print.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export function networkExtensionJobLabel(
  bundleId: string,
  shortVersion: string,
  bundleVersion: string,
): string {
  return `NetworkExtension.${bundleId}.${shortVersion}.${bundleVersion}`;
}

/** Labels of every launchd job of the extension, old and new versions alike. */
export async function findNetworkExtensionJobs(
  guest: GuestSession,
  bundleId: string,
  options: { signal?: AbortSignal } = {},
): Promise<string[]> {
  const result = await guest.exec(['sudo', '-n', 'launchctl', 'list'], { signal: options.signal });
  return networkExtensionJobs(result.stdout, bundleId);
}

/** The extension's job labels in `launchctl list` output. */
export function networkExtensionJobs(launchctlList: string, bundleId: string): string[] {
  const prefix = `NetworkExtension.${bundleId}.`;
  return parseLaunchctlList(launchctlList)
    .jobs.map((job) => job.label)
    .filter((label) => label.startsWith(prefix));
}

export interface JobPrint {
  raw: string;
  /** null when launchd has no such job. */
  job: LaunchctlPrint | null;
}

/** `launchctl print system/<label>`; a missing job is a result, not an error. */
export async function printSystemJob(
  guest: GuestSession,
  label: string,
  options: { signal?: AbortSignal } = {},
): Promise<JobPrint> {
  const result = await guest.exec(['sudo', '-n', 'launchctl', 'print', `system/${label}`], {
    signal: options.signal,
    allowFailure: true,
  });
  // Strict: the endpoint verdicts rest on this print; an older layout or a cut print must stop the run.
  if (result.exitCode === 0)
    return { raw: result.stdout, job: parseLaunchctlPrint(result.stdout, { strict: true }) };
  const known = parseLaunchctlError(result.stderr);
  if (known?.kind === 'service-not-found') return { raw: result.stderr, job: null };
  throw new CommandError({
    command: result.command,
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    durationMs: result.durationMs,
    timedOut: false,
    target: guest.target,
  });
}
