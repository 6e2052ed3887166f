// Reads a bundle's Info.plist on the guest (`plutil -convert json`), for the app and each embedded
// system extension: bundle ID, versions, and the network-extension keys the checks need.
import { posix } from 'node:path';
import { CommandError } from '../errors.ts';
import type { ExecResult, GuestSession } from '../ssh/guest-session.ts';
import { signingCommands, signingSummaryFrom } from './signing-summary.ts';

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

/**
 * An installed app as the guest sees it: its Info.plist, those of the system extensions it embeds
 * in Contents/Library/SystemExtensions, and how it is signed (signing-summary.ts). Two SSH execs:
 * the app's plist with the folder's listing and the signature, then every extension's plist.
 */
export async function readAppBundle(
  guest: GuestSession,
  appPath: string,
  options: { signal?: AbortSignal } = {},
): Promise<{ app: BundleInfo; extensions: BundleInfo[]; signing: string }> {
  const dir = posix.join(appPath, 'Contents', 'Library', 'SystemExtensions');
  // allowFailure: an app without system extensions has no such folder (ls exits 1), and the
  // signing tools' failures are part of what they say.
  const [plist, listing, codesign, spctl] = await guest.execEach(
    [plutilCommand(appPath), ['ls', '-1', dir], ...signingCommands(appPath)],
    { signal: options.signal, allowFailure: true },
  );
  const app = bundleInfoFrom(plist!, appPath, guest.target);
  const signing = signingSummaryFrom(codesign!, spctl!);
  if (listing!.exitCode === 1) return { app, extensions: [], signing };
  if (listing!.exitCode !== 0) throw commandError(listing!, guest.target);
  const paths = listing!.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((name) => name.endsWith('.systemextension'))
    .map((name) => posix.join(dir, name));
  if (paths.length === 0) return { app, extensions: [], signing };
  const plists = await guest.execEach(paths.map(plutilCommand), { signal: options.signal });
  return { app, extensions: paths.map((path, i) => bundleInfoFrom(plists[i]!, path, guest.target)), signing };
}

/** The command bundleInfoFrom reads: `plutil -convert json` of the bundle's Info.plist. */
export function plutilCommand(bundlePath: string): string[] {
  return ['plutil', '-convert', 'json', '-o', '-', posix.join(bundlePath, 'Contents', 'Info.plist')];
}

function commandError(result: ExecResult, target: string): CommandError {
  return new CommandError({ ...result, timedOut: false, target });
}

/** The bundle's facts from `plutil -convert json` of its Info.plist; a failed plutil is its CommandError. */
export function bundleInfoFrom(result: ExecResult, bundlePath: string, target: string): BundleInfo {
  if (result.exitCode !== 0) throw commandError(result, target);
  const plist = posix.join(bundlePath, 'Contents', 'Info.plist');
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `Cannot read ${plist} on ${target}: plutil printed no JSON: ${result.stdout.slice(0, 200)}`,
      {
        cause: error,
      },
    );
  }
  const text = (key: string) => (typeof info[key] === 'string' ? (info[key] as string) : undefined);
  const bundleId = text('CFBundleIdentifier');
  if (!bundleId)
    throw new Error(`Bundle at ${bundlePath} on ${target} has no CFBundleIdentifier in ${plist}`);
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
