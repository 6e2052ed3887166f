// The sample app's NETransparentProxyManager configuration and its provider (forum report 2):
// saved when the app launches with its extension enabled and the user allowed it, connected by `scutil --nc start`,
// told about sleep and wake, and handed one flow per intercepted connection (curl).
import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import type { Machine } from '../machine.ts';
import type { GuestState, LaunchdJob, ProxyConfig, SysextEntry } from '../state.ts';
import type { LogLine, MessageType } from '../unified-log.ts';
import { enabledNetworkExtension, runningProvider } from './enabled-extensions.ts';
import { askConsent } from './system-settings-alert.ts';

/** The name the sample app gives its configuration (localizedDescription). */
export const PROXY_NAME = 'SXL Transparent Proxy';

export interface RunningProvider {
  config: ProxyConfig;
  entry: SysextEntry;
  job: LaunchdJob;
}

/** The provider's own log line: process = its executable, subsystem = its bundle id. */
export function providerLine(
  provider: { entry: SysextEntry; job: LaunchdJob },
  eventMessage: string,
  messageType: MessageType = 'Default',
): LogLine {
  return {
    process: posix.basename(provider.entry.executable),
    pid: provider.job.pid,
    subsystem: provider.entry.bundleId,
    category: 'provider',
    messageType,
    eventMessage,
    processImagePath: provider.entry.executable,
  };
}

/** Connected proxies whose provider process runs. */
export function runningProviders(state: GuestState): RunningProvider[] {
  const out: RunningProvider[] = [];
  for (const config of state.proxies ?? []) {
    if (config.status !== 'Connected') continue;
    const provider = runningProvider(state, config.providerBundleId);
    if (provider) out.push({ config, ...provider });
  }
  return out;
}

/**
 * The app saves its configuration once its proxy extension is enabled (saveToPreferences). The
 * first save of an app needs the user's Allow (model/system-settings-alert.ts): until then nothing
 * is saved. The configuration starts disconnected.
 */
export async function saveProxyConfiguration(
  machine: Machine,
  appBundleId: string,
  appPath: string,
): Promise<void> {
  await machine.mutate(async (state) => {
    // An extension that hosts no app proxy (a filter, a DNS proxy) saves no proxy configuration.
    const entry = enabledNetworkExtension(state, appPath, 'com.apple.networkextension.app-proxy');
    if (!entry) return;
    const existing = (state.proxies ?? []).find((p) => p.name === PROXY_NAME);
    if (existing) {
      existing.providerBundleId = entry.bundleId;
      return;
    }
    const appName = posix.basename(appPath).replace(/\.app$/, '');
    askConsent(machine, { appBundleId, appPath, appName }, () =>
      machine.mutate(async (later) => addConfiguration(machine, later, appBundleId, entry.bundleId)),
    );
  });
}

async function addConfiguration(
  machine: Machine,
  state: GuestState,
  appBundleId: string,
  providerBundleId: string,
): Promise<void> {
  state.proxies ??= [];
  if (state.proxies.some((p) => p.name === PROXY_NAME)) return;
  state.proxies.push({
    uuid: randomUUID().toUpperCase(),
    name: PROXY_NAME,
    appBundleId,
    providerBundleId,
    status: 'Disconnected',
  });
  // [RECONSTRUCTED] nesessionmanager's wording for a new configuration.
  await machine.emit({
    process: 'nesessionmanager',
    pid: 335,
    subsystem: 'com.apple.networkextension',
    category: '',
    messageType: 'Default',
    eventMessage: `Added configuration ${PROXY_NAME} (${appBundleId})`,
    processImagePath: '/usr/libexec/nesessionmanager',
  });
}

export function findProxy(state: GuestState, name: string): ProxyConfig | undefined {
  return (state.proxies ?? []).find((p) => p.name === name || p.uuid === name);
}

/** scutil --nc start: connects when the provider runs; a fresh start also clears a stuck flow path. */
export async function startProxy(machine: Machine, config: ProxyConfig): Promise<boolean> {
  return machine.mutate(async (state) => {
    const provider = runningProvider(state, config.providerBundleId);
    if (!provider) return false;
    if (config.status === 'Connected') return true;
    config.status = 'Connected';
    config.flowsStopped = false;
    await machine.emit(providerLine(provider, 'startProxy(options:)'));
    return true;
  });
}

export async function stopProxy(machine: Machine, config: ProxyConfig): Promise<void> {
  await machine.mutate(async (state) => {
    if (config.status !== 'Connected') return;
    config.status = 'Disconnected';
    config.flowsStopped = false;
    const provider = runningProvider(state, config.providerBundleId);
    // [RECONSTRUCTED] the provider logs its stop like its start.
    if (provider) await machine.emit(providerLine(provider, 'stopProxy(with:completionHandler:)'));
  });
}

/**
 * A new TCP flow from curl: every connected, healthy proxy logs handleNewFlow. At Debug, as vendors
 * log per-flow chatter (Apple's own per-flow NE lines are Debug, macos-outputs §4.5): `log show`
 * only sees it once `log config` persists Debug for the provider's subsystem (real-mac-review §8).
 */
export async function interceptFlow(machine: Machine, remote: string): Promise<number> {
  return machine.mutate(async (state) => {
    let count = 0;
    for (const provider of runningProviders(state)) {
      if (provider.config.flowsStopped) continue;
      await machine.emit(
        providerLine(provider, `handleNewFlow TCP com.apple.curl remote ${remote}`, 'Debug'),
      );
      count++;
    }
    return count;
  });
}

/** At boot every session is down and a stuck flow path is gone with the old provider process. */
export function resetProxiesAtBoot(state: GuestState): void {
  for (const config of state.proxies ?? []) {
    config.status = 'Disconnected';
    config.flowsStopped = false;
  }
}

/** The provider's job went away (uninstall, replacement): its sessions drop. */
export function disconnectProxiesOf(state: GuestState, bundleId: string): void {
  for (const config of state.proxies ?? []) {
    if (config.providerBundleId === bundleId) {
      config.status = 'Disconnected';
      config.flowsStopped = false;
    }
  }
}
