// The app's NETransparentProxyManager configuration, driven with `scutil --nc` (macos-outputs.md §6).
import { type NetworkConnectionService, parseScutilNcList } from '../parse/scutil-nc-list.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export async function listNetworkServices(
  guest: GuestSession,
  options: { signal?: AbortSignal } = {},
): Promise<{ raw: string; services: NetworkConnectionService[] }> {
  const { stdout } = await guest.exec(['scutil', '--nc', 'list'], { signal: options.signal });
  return { raw: stdout, services: parseScutilNcList(stdout).services };
}

export async function startNetworkService(
  guest: GuestSession,
  name: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await guest.exec(['scutil', '--nc', 'start', name], { signal: options.signal });
}

export async function stopNetworkService(
  guest: GuestSession,
  name: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await guest.exec(['scutil', '--nc', 'stop', name], { signal: options.signal });
}
