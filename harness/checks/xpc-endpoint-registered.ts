// Check (forum report 1): the extension's launchd job NetworkExtension.<id>.<short>.<build> exists
// and its `endpoints` block holds the extension's NEMachServiceName; on a broken upgrade the block
// is missing, so the app's NSXPCConnection is invalidated at once. Then a bootstrap look-up of the
// name through our guest tool (the block can be there while the look-up fails with 1102), and
// optionally the app's own probe command (its XPC round trip), which must exit 0. A probe the
// guest's shell could not start (127, 126) gave no verdict: ProbeNotRunError, never a failure.
//
// launchd gets the job asynchronously (after a replacement, seconds later), and the real bug lasts
// until a reboot or a new approval: so the job and the look-up are read again and again, fast at
// first, and only what is still missing at the deadline is a failure, with that last read as evidence.
import { CheckFailedError, ProbeNotRunError, WaitTimeoutError } from '../errors.ts';
import type { BundleInfo } from '../macos/bundle-info.ts';
import { bootstrapLookup, bootstrapLookupTool, guestToolsDir } from '../macos/guest-tools.ts';
import { findNetworkExtensionJobs, networkExtensionJobLabel, printSystemJob } from '../macos/launchd.ts';
import { doNotRetry, pollPaces, retryUntil } from '../retry.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

const bootstrapLookupToolPath = `${guestToolsDir}/${bootstrapLookupTool.name}`;

export const xpcEndpointCheckDefaults = {
  /** How long launchd may take to register the job and its endpoint (real-mac-review.md §5). */
  deadlineMs: 60_000,
  bootstrapLookup: 'on',
} as const;

export interface XpcEndpointCheckOptions {
  check?: string;
  signal?: AbortSignal;
  /**
   * Bootstrap look-up of the NEMachServiceName with harness/guest-tools/sxl-bootstrap-lookup.c:
   * `on` requires it, `auto` runs it when the tool is built or `cc --version` works, `off` skips it.
   * @default 'on'
   */
  bootstrapLookup?: 'on' | 'auto' | 'off';
  /** The app's own probe (a shell command line run in the guest) that must exit 0. */
  probeCommand?: string;
  note?: (text: string) => void;
  /**
   * How long the job, its endpoint and the look-up may take to appear, from the check's start;
   * the check fails only on what is still missing then.
   * @default 60000
   */
  deadlineMs?: number;
  /**
   * `performance.now()` when registration began (the end of the replacement): the time to register
   * counts from it. @default the check's start
   */
  since?: number;
}

export interface XpcEndpointRegistration {
  label: string;
  /** From `since` until the read that found the endpoint registered (and looked up). */
  registeredAfterMs: number;
  reads: number;
}

export async function checkXpcEndpointRegistered(
  guest: GuestSession,
  extension: BundleInfo,
  options: XpcEndpointCheckOptions = {},
): Promise<XpcEndpointRegistration> {
  const check = options.check ?? 'xpc-endpoint-registered';
  const deadlineMs = options.deadlineMs ?? xpcEndpointCheckDefaults.deadlineMs;
  if (!(Number.isFinite(deadlineMs) && deadlineMs >= 0)) {
    throw new TypeError(`deadlineMs must be a number of ms >= 0, got ${deadlineMs}`);
  }
  const since = options.since ?? performance.now();
  const service = extension.machServiceName;
  if (!service) {
    throw new Error(
      `Extension ${extension.bundleId} at ${extension.path} has no NetworkExtension.NEMachServiceName in its Info.plist: nothing to check`,
    );
  }
  const label = networkExtensionJobLabel(extension.bundleId, extension.shortVersion, extension.bundleVersion);
  const lookUp = await wantsLookUp(guest, options);
  let reads = 0;
  let registered: number;
  try {
    registered = await retryUntil(
      async () => {
        reads += 1;
        try {
          await readRegistration(guest, extension, { check, label, service, lookUp, signal: options.signal });
          return performance.now();
        } catch (error) {
          // Only a missing registration may still change; anything else (SSH, launchctl) ends the poll.
          if (!(error instanceof CheckFailedError)) throw doNotRetry(error);
          throw error;
        }
      },
      {
        what: `system/${label} to register "${service}"`,
        vm: guest.label,
        timeoutMs: deadlineMs,
        // launchd usually submits the job within seconds of the activation.
        ...pollPaces.guestState,
        signal: options.signal,
        onAttemptFailed: (error, attempt) => {
          if (attempt === 1)
            options.note?.(`not registered yet, polling up to ${deadlineMs} ms: ${error.message}`);
        },
      },
    );
  } catch (error) {
    const last = error instanceof WaitTimeoutError ? error.cause : undefined;
    if (!(last instanceof CheckFailedError)) throw error;
    throw new CheckFailedError(
      check,
      `${last.message}; still so at the ${deadlineMs} ms deadline (${reads} reads)`,
      last.evidence,
    );
  }
  const registration = { label, registeredAfterMs: Math.max(0, Math.round(registered - since)), reads };
  if (reads > 1) options.note?.(`system/${label} registered "${service}" after ${reads} reads`);
  if (options.probeCommand)
    await runProbe(guest, options.probeCommand, { check, label, service, ...options });
  return registration;
}

/** Whether this check runs the bootstrap look-up (decided once, before the poll). */
async function wantsLookUp(guest: GuestSession, options: XpcEndpointCheckOptions): Promise<boolean> {
  const mode = options.bootstrapLookup ?? xpcEndpointCheckDefaults.bootstrapLookup;
  if (mode !== 'auto') return mode === 'on';
  // `cc --version` fails (and offers the Command Line Tools) where there is no compiler.
  const probe = await guest.exec(`test -x ${bootstrapLookupToolPath} || cc --version`, {
    signal: options.signal,
    allowFailure: true,
  });
  if (probe.exitCode !== 0)
    options.note?.('bootstrap look-up skipped: the guest has no cc to build the tool');
  return probe.exitCode === 0;
}

/** One read of the job and, when asked, one look-up; what is missing throws CheckFailedError. */
async function readRegistration(
  guest: GuestSession,
  extension: BundleInfo,
  read: { check: string; label: string; service: string; lookUp: boolean; signal?: AbortSignal },
): Promise<void> {
  const { check, label, service } = read;
  const { raw, job } = await printSystemJob(guest, label, read);
  const evidence = { [`launchctl-print-${label}.txt`]: raw };
  if (!job) {
    const others = await findNetworkExtensionJobs(guest, extension.bundleId, read);
    throw new CheckFailedError(
      check,
      `XPC endpoint missing: launchd has no job system/${label} for ${extension.bundleId}; jobs with its prefix: ${others.join(', ') || 'none'}`,
      evidence,
    );
  }
  const block = job.endpointBlocks.endpoints;
  if (!block) {
    throw new CheckFailedError(
      check,
      `XPC endpoint missing: system/${label} has no endpoints block (expected "${service}"); state ${job.state ?? 'unknown'}, pid ${job.pid ?? 'none'}`,
      evidence,
    );
  }
  if (!block.some((endpoint) => endpoint.name === service)) {
    throw new CheckFailedError(
      check,
      `XPC endpoint missing: the endpoints block of system/${label} does not hold "${service}"; it holds ${block.map((e) => `"${e.name}"`).join(', ') || 'nothing'}`,
      evidence,
    );
  }
  if (!read.lookUp) return;
  const lookup = await bootstrapLookup(guest, service, read);
  if (!lookup.ok) {
    throw new CheckFailedError(
      check,
      `XPC endpoint not reachable: system/${label} lists "${service}" in its endpoints block, but a bootstrap look-up of it as root fails: ${lookup.code} (${lookup.reason})`,
      { ...evidence, 'bootstrap-lookup.txt': lookup.raw },
    );
  }
}

/** The app's own XPC round trip, once the endpoint is registered: it must exit 0. */
async function runProbe(
  guest: GuestSession,
  command: string,
  context: { check: string; label: string; service: string; signal?: AbortSignal },
): Promise<void> {
  const probe = await guest.exec(command, { signal: context.signal, allowFailure: true, timeoutMs: 60_000 });
  if (probe.exitCode === 0) return;
  const transcript = `$ ${command}\n--- exit ${probe.exitCode}${probe.signal ? ` (${probe.signal})` : ''}\n--- stdout\n${probe.stdout}--- stderr\n${probe.stderr}`;
  // zsh's "command not found" and "no such file or directory" (127), "permission denied" (126).
  if (!probe.signal && (probe.exitCode === 127 || probe.exitCode === 126)) {
    throw new ProbeNotRunError(guest.label, command, probe.exitCode, probe.stderr.trim().slice(-300), {
      'probe-command.txt': transcript,
    });
  }
  // A probe that crashed (SIGSEGV, SIGABRT on an invalidated connection) is the app's answer too.
  const ended = probe.signal
    ? `was killed by ${probe.signal} (exit code ${probe.exitCode})`
    : `exited ${probe.exitCode ?? 'without status'}`;
  throw new CheckFailedError(
    context.check,
    `XPC round trip failed: the app's probe \`${command}\` ${ended} while system/${context.label} holds "${context.service}": ${(probe.stderr || probe.stdout).trim().slice(-400)}`,
    { 'probe-command.txt': transcript },
  );
}
