// What sysextd and launchd read from a bundle: its Info.plist and the sim's stand-in code signature
// (Contents/_CodeSignature/sxl-sim-signature.plist, key TeamIdentifier).
import { posix } from 'node:path';
import type { GuestFs } from '../guest-fs.ts';
import { isDict, type PlistDict, parsePlist } from '../plist.ts';
import type { SysextCategory } from '../state.ts';

export const SIGNATURE_FILE = 'Contents/_CodeSignature/sxl-sim-signature.plist';

export interface BundleInfo {
  path: string;
  bundleId: string;
  shortVersion: string;
  bundleVersion: string;
  /** CFBundleDisplayName, else CFBundleName, else the bundle id. */
  name: string;
  executable: string;
  packageType: string;
  plist: PlistDict;
  /** Undefined when the bundle carries no (stand-in) signature. */
  teamId: string | undefined;
}

function text(dict: PlistDict, key: string): string | undefined {
  const value = dict[key];
  return typeof value === 'string' ? value : undefined;
}

export async function readPlistFile(fs: GuestFs, path: string): Promise<PlistDict> {
  const value = parsePlist((await fs.readFile(path)).toString('utf8'), path);
  if (!isDict(value)) throw new Error(`Property list is not a dictionary: ${path}`);
  return value;
}

/** Reads `<bundle>/Contents/Info.plist` and the signature; throws when the Info.plist is unusable. */
export async function readBundleInfo(fs: GuestFs, bundlePath: string): Promise<BundleInfo> {
  const plist = await readPlistFile(fs, posix.join(bundlePath, 'Contents/Info.plist'));
  const bundleId = text(plist, 'CFBundleIdentifier');
  if (!bundleId) throw new Error(`Bundle has no CFBundleIdentifier: ${bundlePath}`);
  const executableName =
    text(plist, 'CFBundleExecutable') ?? posix.basename(bundlePath).replace(/\.[^.]+$/, '');
  let teamId: string | undefined;
  try {
    const signature = await readPlistFile(fs, posix.join(bundlePath, SIGNATURE_FILE));
    teamId = text(signature, 'TeamIdentifier');
  } catch {
    teamId = undefined;
  }
  return {
    path: bundlePath,
    bundleId,
    shortVersion: text(plist, 'CFBundleShortVersionString') ?? '',
    bundleVersion: text(plist, 'CFBundleVersion') ?? '',
    name: text(plist, 'CFBundleDisplayName') ?? text(plist, 'CFBundleName') ?? bundleId,
    executable: posix.join(bundlePath, 'Contents/MacOS', executableName),
    packageType: text(plist, 'CFBundlePackageType') ?? '',
    plist,
    teamId,
  };
}

export function sysextCategory(info: BundleInfo): SysextCategory {
  if (isDict(info.plist.NetworkExtension)) return 'com.apple.system_extension.network_extension';
  if (info.packageType === 'DEXT' || info.plist.IOKitPersonalities !== undefined) {
    return 'com.apple.system_extension.driver_extension';
  }
  return 'com.apple.system_extension.endpoint_security';
}

/** The fault rates a sample build carries (SXLSimFaults: quirk name -> probability), if any. */
export function buildFaults(info: BundleInfo): Record<string, number> | undefined {
  const faults = info.plist.SXLSimFaults;
  if (!isDict(faults)) return undefined;
  const rates = Object.entries(faults).filter((e): e is [string, number] => typeof e[1] === 'number');
  return rates.length > 0 ? Object.fromEntries(rates) : undefined;
}

/** The keys of NetworkExtension.NEProviderClasses: which providers the extension hosts. */
export function providerClasses(info: BundleInfo): string[] | undefined {
  const ne = info.plist.NetworkExtension;
  const classes = isDict(ne) ? ne.NEProviderClasses : undefined;
  return isDict(classes) ? Object.keys(classes) : undefined;
}

export function machServiceName(info: BundleInfo): string | undefined {
  const ne = info.plist.NetworkExtension;
  return isDict(ne) ? text(ne, 'NEMachServiceName') : undefined;
}
