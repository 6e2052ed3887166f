// Look-ups that every NetworkExtension provider model (transparent proxy, content filter, DNS
// proxy) makes: which enabled system extension an app's configuration is for, and whether the
// provider a configuration names runs.
import type { GuestState, LaunchdJob, SysextEntry } from '../state.ts';

const NETWORK_EXTENSION = 'com.apple.system_extension.network_extension';

/**
 * The app's activated and enabled network extension, one that can host `providerClass` when given
 * (an extension that declares no provider classes is taken to host any).
 */
export function enabledNetworkExtension(
  state: GuestState,
  appPath: string,
  providerClass?: string,
): SysextEntry | undefined {
  return state.extensions.find(
    (e) =>
      e.appPath === appPath &&
      e.state === 'activated_enabled' &&
      e.category === NETWORK_EXTENSION &&
      (!providerClass || !e.providerClasses || e.providerClasses.includes(providerClass)),
  );
}

/** The enabled extension `bundleId` and its launchd job, when its provider process runs. */
export function runningProvider(
  state: GuestState,
  bundleId: string,
): { entry: SysextEntry; job: LaunchdJob } | undefined {
  const entry = state.extensions.find((e) => e.bundleId === bundleId && e.state === 'activated_enabled');
  const job = entry && state.jobs.find((j) => j.extensionUuid === entry.uuid);
  return entry && job ? { entry, job } : undefined;
}
