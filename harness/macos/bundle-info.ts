// Reads a bundle's Info.plist on the guest (`plutil -convert json`), for the app and each embedded
// system extension: bundle ID, versions, and the network-extension keys the checks need.
import { posix } from 'node:path';
import { CommandError } from '../errors.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export interface BundleInfo {
  /** Path of the bundle on the guest. */
  path: string;
  bundleId: string;
  shortVersion: string;
  bundleVersion: string;
  /** CFBundleDisplayName, else CFBundleName, else the bundle ID: what System Settings shows. */
  name: string;
  executable?: string;
  /** NetworkExtension.NEMachServiceName, for network extensions. */
  machServiceName?: string;
  /** NetworkExtension.NEProviderClasses: provider kind -> class. */
  providerClasses?: Record<string, string>;
}

export async function readBundleInfo(
  guest: GuestSession,
  bundlePath: string,
  options: { signal?: AbortSignal } = {},
): Promise<BundleInfo> {
  const plist = posix.join(bundlePath, 'Contents', 'Info.plist');
  const result = await guest.exec(['plutil', '-convert', 'json', '-o', '-', plist], {
    signal: options.signal,
  });
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `Cannot read ${plist} on ${guest.target}: plutil printed no JSON: ${result.stdout.slice(0, 200)}`,
      {
        cause: error,
      },
    );
  }
  const text = (key: string) => (typeof info[key] === 'string' ? (info[key] as string) : undefined);
  const bundleId = text('CFBundleIdentifier');
  if (!bundleId)
    throw new Error(`Bundle at ${bundlePath} on ${guest.target} has no CFBundleIdentifier in ${plist}`);
  const ne = (info.NetworkExtension ?? {}) as Record<string, unknown>;
  return {
    path: bundlePath,
    bundleId,
    shortVersion: text('CFBundleShortVersionString') ?? '',
    bundleVersion: text('CFBundleVersion') ?? '',
    name: text('CFBundleDisplayName') ?? text('CFBundleName') ?? bundleId,
    executable: text('CFBundleExecutable'),
    machServiceName: typeof ne.NEMachServiceName === 'string' ? ne.NEMachServiceName : undefined,
    providerClasses:
      typeof ne.NEProviderClasses === 'object' && ne.NEProviderClasses !== null
        ? (ne.NEProviderClasses as Record<string, string>)
        : undefined,
  };
}

/** The system extensions an app embeds in Contents/Library/SystemExtensions. */
export async function readEmbeddedExtensions(
  guest: GuestSession,
  appPath: string,
  options: { signal?: AbortSignal } = {},
): Promise<BundleInfo[]> {
  const dir = posix.join(appPath, 'Contents', 'Library', 'SystemExtensions');
  let listing: string;
  try {
    listing = (await guest.exec(['ls', '-1', dir], { signal: options.signal })).stdout;
  } catch (error) {
    // An app without system extensions has no such folder.
    if (error instanceof CommandError && error.exitCode === 1) return [];
    throw error;
  }
  const bundles = listing
    .split('\n')
    .map((line) => line.trim())
    .filter((name) => name.endsWith('.systemextension'));
  const result: BundleInfo[] = [];
  for (const name of bundles) result.push(await readBundleInfo(guest, posix.join(dir, name), options));
  return result;
}
