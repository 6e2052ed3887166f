// Check (forum report 1): the extension's launchd job NetworkExtension.<id>.<short>.<build> exists
// and its `endpoints` block holds the extension's NEMachServiceName; on a broken upgrade the block
// is missing, so the app's NSXPCConnection is invalidated at once. Then a bootstrap look-up of the
// name through our guest tool (the block can be there while the look-up fails with 1102), and
// optionally the app's own probe command (its XPC round trip), which must exit 0.
import { CheckFailedError } from '../errors.ts';
import type { BundleInfo } from '../macos/bundle-info.ts';
import { bootstrapLookup, bootstrapLookupTool, guestToolsDir } from '../macos/guest-tools.ts';

const bootstrapLookupToolPath = `${guestToolsDir}/${bootstrapLookupTool.name}`;

import { findNetworkExtensionJobs, networkExtensionJobLabel, printSystemJob } from '../macos/launchd.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

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
}

export async function checkXpcEndpointRegistered(
  guest: GuestSession,
  extension: BundleInfo,
  options: XpcEndpointCheckOptions = {},
): Promise<void> {
  const check = options.check ?? 'xpc-endpoint-registered';
  const service = extension.machServiceName;
  if (!service) {
    throw new Error(
      `Extension ${extension.bundleId} at ${extension.path} has no NetworkExtension.NEMachServiceName in its Info.plist: nothing to check`,
    );
  }
  const label = networkExtensionJobLabel(extension.bundleId, extension.shortVersion, extension.bundleVersion);
  const { raw, job } = await printSystemJob(guest, label, options);
  const evidence = { [`launchctl-print-${label}.txt`]: raw };
  if (!job) {
    const others = await findNetworkExtensionJobs(guest, extension.bundleId, options);
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
  const mode = options.bootstrapLookup ?? 'on';
  let lookUp = mode === 'on';
  if (mode === 'auto') {
    // `cc --version` fails (and offers the Command Line Tools) where there is no compiler.
    const probe = await guest.exec(`test -x ${bootstrapLookupToolPath} || cc --version`, {
      signal: options.signal,
      allowFailure: true,
    });
    lookUp = probe.exitCode === 0;
    if (!lookUp) options.note?.('bootstrap look-up skipped: the guest has no cc to build the tool');
  }
  if (lookUp) {
    const lookup = await bootstrapLookup(guest, service, options);
    if (!lookup.ok) {
      throw new CheckFailedError(
        check,
        `XPC endpoint not reachable: system/${label} lists "${service}" in its endpoints block, but a bootstrap look-up of it as root fails: ${lookup.code ?? 'no code'} (${lookup.reason})`,
        { ...evidence, 'bootstrap-lookup.txt': lookup.raw },
      );
    }
  }
  if (options.probeCommand) {
    const probe = await guest.exec(options.probeCommand, {
      signal: options.signal,
      allowFailure: true,
      timeoutMs: 60_000,
    });
    if (probe.exitCode !== 0) {
      throw new CheckFailedError(
        check,
        `XPC round trip failed: the app's probe \`${options.probeCommand}\` exited ${probe.exitCode ?? 'without status'} while system/${label} holds "${service}": ${(probe.stderr || probe.stdout).trim().slice(-400)}`,
        {
          ...evidence,
          'probe-command.txt': `$ ${options.probeCommand}\n--- exit ${probe.exitCode}\n--- stdout\n${probe.stdout}--- stderr\n${probe.stderr}`,
        },
      );
    }
  }
}
