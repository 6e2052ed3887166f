// Check (forum report 1): the extension's launchd job NetworkExtension.<id>.<short>.<build> exists
// and its `endpoints` block holds the extension's NEMachServiceName; on a broken upgrade the block
// is missing, so the app's NSXPCConnection is invalidated at once.
import { CheckFailedError } from '../errors.ts';
import type { BundleInfo } from '../macos/bundle-info.ts';
import { findNetworkExtensionJobs, networkExtensionJobLabel, printSystemJob } from '../macos/launchd.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export async function checkXpcEndpointRegistered(
  guest: GuestSession,
  extension: BundleInfo,
  options: { check?: string; signal?: AbortSignal } = {},
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
}
