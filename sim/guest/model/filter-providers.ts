// Content filters (NEFilterManager + NEFilterDataProvider) and DNS proxies (NEDNSProxyManager +
// NEDNSProxyProvider): saved enabled by their app, run by nesessionmanager whenever their provider's
// extension runs (no `scutil --nc start`: they are not SCNetworkConnection services, so `scutil --nc
// list` does not show them; Reconstructed, macos-outputs §6 leaves it unverified and this is the
// harder case for a harness), told about sleep and wake as every NEProvider is, and handed the
// flows of the guest's traffic: the DNS proxy the name look-up (a UDP flow), the filter the TCP
// connection. Reconstructed: the provider lines (start, flow) as a vendor would log them; a name
// still in mDNSResponder's cache makes no look-up, hence no DNS-proxy flow (model/dns-cache.ts).
import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import type { Machine } from '../machine.ts';
import type { FilterConfig, GuestState, LaunchdJob, SysextEntry } from '../state.ts';
import type { LogLine, MessageType } from '../unified-log.ts';
import { lookUp } from './dns-cache.ts';
import { enabledNetworkExtension, runningProvider } from './enabled-extensions.ts';
import { rollQuirk } from './quirk-dice.ts';
import { askConsent } from './system-settings-alert.ts';

export const FILTER_DATA_CLASS = 'com.apple.networkextension.filter-data';
export const DNS_PROXY_CLASS = 'com.apple.networkextension.dns-proxy';

/** The quirk: enabled and told of the wake, but handleNewFlow is no longer called. */
export const FILTER_WAKE_QUIRK = 'filter-flows-stop-after-wake';

/** What each kind is called, which provider class hosts it, how it starts and where it logs. */
const KINDS = {
  'content-filter': {
    name: 'SXL Content Filter',
    providerClass: FILTER_DATA_CLASS,
    start: 'startFilter(completionHandler:)',
    category: 'filter',
  },
  'dns-proxy': {
    name: 'SXL DNS Proxy',
    providerClass: DNS_PROXY_CLASS,
    start: 'startProxy(options:completionHandler:)',
    category: 'dns-proxy',
  },
} as const satisfies Record<FilterConfig['kind'], object>;

const KIND_ORDER: readonly FilterConfig['kind'][] = ['content-filter', 'dns-proxy'];

interface RunningFilter {
  config: FilterConfig;
  entry: SysextEntry;
  job: LaunchdJob;
}

function filterLine(
  provider: RunningFilter,
  eventMessage: string,
  messageType: MessageType = 'Default',
): LogLine {
  return {
    process: posix.basename(provider.entry.executable),
    pid: provider.job.pid,
    subsystem: provider.entry.bundleId,
    category: KINDS[provider.config.kind].category,
    messageType,
    eventMessage,
    processImagePath: provider.entry.executable,
  };
}

/** Enabled configurations whose provider process runs, in the order they were saved. */
export function runningFilters(state: GuestState): RunningFilter[] {
  const out: RunningFilter[] = [];
  for (const config of state.filters ?? []) {
    const provider = runningProvider(state, config.providerBundleId);
    if (provider) out.push({ config, ...provider });
  }
  return out;
}

/**
 * The app saves (enabled) a configuration for each of its extension's filter and DNS-proxy provider
 * classes once the extension is enabled; the first save needs the user's Allow, as for a proxy.
 */
export async function saveFilterConfigurations(
  machine: Machine,
  appBundleId: string,
  appPath: string,
): Promise<void> {
  await machine.mutate(async (state) => {
    const entry = enabledNetworkExtension(state, appPath);
    if (!entry) return;
    const kinds = KIND_ORDER.filter((k) => entry.providerClasses?.includes(KINDS[k].providerClass));
    const missing = kinds.filter(
      (k) => !(state.filters ?? []).some((f) => f.kind === k && f.appBundleId === appBundleId),
    );
    if (missing.length === 0) return;
    const appName = posix.basename(appPath).replace(/\.app$/, '');
    const kind = missing.includes('content-filter') ? 'filter' : 'proxy';
    askConsent(machine, { appBundleId, appPath, appName, kind }, () =>
      machine.mutate((later) => addConfigurations(machine, later, appBundleId, entry.bundleId, missing)),
    );
  });
}

async function addConfigurations(
  machine: Machine,
  state: GuestState,
  appBundleId: string,
  providerBundleId: string,
  kinds: readonly FilterConfig['kind'][],
): Promise<void> {
  state.filters ??= [];
  for (const kind of kinds) {
    if (state.filters.some((f) => f.kind === kind && f.appBundleId === appBundleId)) continue;
    const config: FilterConfig = {
      uuid: randomUUID().toUpperCase(),
      name: KINDS[kind].name,
      kind,
      appBundleId,
      providerBundleId,
    };
    state.filters.push(config);
    // [RECONSTRUCTED] nesessionmanager's wording, as for a proxy configuration.
    await machine.emit({
      process: 'nesessionmanager',
      pid: 335,
      subsystem: 'com.apple.networkextension',
      category: '',
      messageType: 'Default',
      eventMessage: `Added configuration ${config.name} (${appBundleId})`,
      processImagePath: '/usr/libexec/nesessionmanager',
    });
    const running = runningFilters(state).find((r) => r.config === config);
    if (running) await machine.emit(filterLine(running, KINDS[kind].start));
  }
}

/** At boot every provider process is new: nothing stuck, and each enabled session starts again. */
export async function startFiltersAtBoot(machine: Machine, state: GuestState): Promise<void> {
  for (const config of state.filters ?? []) config.blind = false;
  for (const running of runningFilters(state)) {
    await machine.emit(filterLine(running, KINDS[running.config.kind].start));
  }
}

/** The provider's job went away (uninstall, replacement): a stuck flow path went with its process. */
export function resetFiltersOf(state: GuestState, bundleId: string): void {
  for (const config of state.filters ?? []) {
    if (config.providerBundleId === bundleId) config.blind = false;
  }
}

/** pmset's sleep: every running filter and DNS proxy provider gets sleep(completionHandler:). */
export async function filtersSleep(machine: Machine, state: GuestState): Promise<void> {
  for (const running of runningFilters(state)) {
    await machine.emit(filterLine(running, 'sleep(completionHandler:)'));
  }
}

/** A wake (DarkWakes included): wake(), then the quirk, rolled per wake per running provider. */
export async function filtersWake(machine: Machine, state: GuestState): Promise<void> {
  for (const running of runningFilters(state)) {
    await machine.emit(filterLine(running, 'wake()'));
    if (rollQuirk(machine, state, FILTER_WAKE_QUIRK)) running.config.blind = true;
  }
}

/**
 * curl's traffic: a host name is looked up first (the DNS proxy's UDP flow), then the connection is
 * made (the content filter's TCP flow). Debug, as vendors log per-flow lines (macos-outputs §4.5),
 * so `log show` sees them only once `log config` persists Debug for the provider's subsystem.
 */
export async function filterTraffic(machine: Machine, host: string, remote: string): Promise<void> {
  await machine.mutate(async (state) => {
    const running = runningFilters(state).filter((r) => !r.config.blind);
    const queried = !/^\d{1,3}(\.\d{1,3}){3}$/.test(host) && lookUp(state, host, machine.now().getTime());
    for (const r of running) {
      if (r.config.kind === 'dns-proxy' && queried) {
        await machine.emit(filterLine(r, `handleNewFlow UDP com.apple.curl query ${host}`, 'Debug'));
      }
    }
    for (const r of running) {
      if (r.config.kind === 'content-filter') {
        await machine.emit(filterLine(r, `handleNewFlow TCP com.apple.curl remote ${remote}`, 'Debug'));
      }
    }
  });
}
