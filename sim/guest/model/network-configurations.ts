// Every NetworkExtension configuration an app saves (transparent proxy, content filter, DNS proxy),
// so that the app, sysextd and the boot sequence need not know each kind.
import type { Machine } from '../machine.ts';
import type { GuestState } from '../state.ts';
import { flushDnsCache } from './dns-cache.ts';
import { resetFiltersOf, saveFilterConfigurations, startFiltersAtBoot } from './filter-providers.ts';
import { disconnectProxiesOf, resetProxiesAtBoot, saveProxyConfiguration } from './transparent-proxy.ts';

/** The app saves the configurations its enabled extension's provider classes call for. */
export async function saveAppConfigurations(
  machine: Machine,
  appBundleId: string,
  appPath: string,
): Promise<void> {
  await saveProxyConfiguration(machine, appBundleId, appPath);
  await saveFilterConfigurations(machine, appBundleId, appPath);
}

/** The provider's job went away (uninstall, replacement): its sessions drop. */
export function providerStopped(state: GuestState, bundleId: string): void {
  disconnectProxiesOf(state, bundleId);
  resetFiltersOf(state, bundleId);
}

/**
 * At boot: proxies wait for `scutil --nc start`; enabled filters and DNS proxies start by themselves;
 * a new mDNSResponder has an empty cache.
 */
export async function configurationsAtBoot(machine: Machine, state: GuestState): Promise<void> {
  flushDnsCache(state);
  resetProxiesAtBoot(state);
  await startFiltersAtBoot(machine, state);
}
