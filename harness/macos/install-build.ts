// Installs a build on the guest: a .pkg with `installer`, an .app bundle or a .zip of one copied
// into /Applications with `ditto`, as a user or an MDM would.
import { stat } from 'node:fs/promises';
import { basename, posix } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import { type BundleInfo, readBundleInfo, readEmbeddedExtensions } from './bundle-info.ts';
import { findInstalledApp } from './package-receipts.ts';

export interface InstalledBuild {
  /** The file that was installed, on the host. */
  source: string;
  appPath: string;
  app: BundleInfo;
  extensions: BundleInfo[];
  /** Output of the install command (installer's lines). */
  installOutput: string;
  /** Team ID, authority, hardened runtime, notarization and Gatekeeper's verdict, in one line. */
  signing?: string;
}

export interface InstallOptions {
  /** Guest folder the build is uploaded to first. @default /Users/<user>/sxl-stage */
  stagingDir: string;
  signal?: AbortSignal;
  /** @default 600000 */
  timeoutMs?: number;
}

export type BuildKind = 'pkg' | 'zip' | 'app';

/** Tells the build's kind from its name; anything else is a usage error naming the file. */
export async function buildKind(path: string): Promise<BuildKind> {
  const info = await stat(path).catch(() => undefined);
  if (!info) {
    throw new ConfigError(
      'build',
      `Build not found: ${path}. Pass an existing .pkg, .app or .zip (--from/--to).`,
    );
  }
  if (path.endsWith('.pkg') && info.isFile()) return 'pkg';
  if (path.endsWith('.zip') && info.isFile()) return 'zip';
  if (path.replace(/\/+$/, '').endsWith('.app') && info.isDirectory()) return 'app';
  throw new ConfigError(
    'build',
    `Unsupported build ${path}: expected a .pkg file, a .zip of an app, or an .app folder (--from/--to).`,
  );
}

export async function installBuild(
  guest: GuestSession,
  localPath: string,
  options: InstallOptions,
): Promise<InstalledBuild> {
  const kind = await buildKind(localPath);
  const timeoutMs = options.timeoutMs ?? 600_000;
  const common = { signal: options.signal, timeoutMs };
  await guest.exec(['mkdir', '-p', options.stagingDir], common);
  const name = basename(localPath.replace(/\/+$/, ''));
  const staged = posix.join(options.stagingDir, name);
  await guest.exec(['rm', '-rf', staged], common);
  let appPath: string;
  let installOutput: string;
  if (kind === 'pkg') {
    await guest.upload(localPath, staged, common);
    const installStarted = await guestEpochSeconds(guest, options.signal);
    const result = await guest.exec(['sudo', '-n', 'installer', '-pkg', staged, '-target', '/'], common);
    installOutput = result.stdout + result.stderr;
    appPath = await findInstalledApp(guest, installStarted, common);
  } else if (kind === 'zip') {
    await guest.upload(localPath, staged, common);
    const listing = await guest.exec(['sudo', '-n', 'ditto', '-x', '-k', staged, '/Applications'], common);
    installOutput = listing.stdout + listing.stderr;
    appPath = posix.join('/Applications', `${name.replace(/\.zip$/, '')}`);
    if (!appPath.endsWith('.app')) appPath += '.app';
  } else {
    await guest.uploadTree(localPath, staged, common);
    appPath = posix.join('/Applications', name);
    const result = await guest.exec(['sudo', '-n', 'ditto', staged, appPath], common);
    installOutput = result.stdout + result.stderr;
  }
  const app = await readBundleInfo(guest, appPath, common);
  const extensions = await readEmbeddedExtensions(guest, appPath, common);
  return { source: localPath, appPath, app, extensions, installOutput };
}

async function guestEpochSeconds(guest: GuestSession, signal?: AbortSignal): Promise<number> {
  const result = await guest.exec(['date', '-u', '+%s'], { signal });
  const seconds = Number(result.stdout.trim());
  if (!Number.isInteger(seconds))
    throw new Error(`Unexpected output of \`date -u +%s\` on ${guest.target}: ${result.stdout}`);
  return seconds;
}
