// Installs a build on the guest: a .pkg with `installer`; an .app folder or a .zip of one unpacked
// with `ditto -x -k` and copied into /Applications with `ditto`, as a user or an MDM would. An .app
// folder is zipped on the host first (bundle-archive.ts), so its symlinks arrive as symlinks.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { ExecResult, GuestSession } from '../ssh/guest-session.ts';
import { zipBundle } from './bundle-archive.ts';
import { type BundleInfo, readAppBundle } from './bundle-info.ts';
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
  let appPath: string;
  let installOutput: string;
  if (kind === 'pkg') {
    const staged = posix.join(options.stagingDir, basename(localPath));
    // Commands that follow one another without a decision between them share one SSH exec.
    await guest.execEach(
      [
        ['mkdir', '-p', options.stagingDir],
        ['rm', '-rf', staged],
      ],
      common,
    );
    await guest.upload(localPath, staged, common);
    // The guest's clock just before the install, for the receipts it writes, and the receipts after.
    const [clock, result, pkgs] = await guest.execEach(
      [
        ['date', '-u', '+%s'],
        ['sudo', '-n', 'installer', '-pkg', staged, '-target', '/'],
        ['pkgutil', '--pkgs'],
      ],
      common,
    );
    installOutput = result!.stdout + result!.stderr;
    appPath = await findInstalledApp(guest, epochSeconds(clock!, guest.target), {
      ...common,
      pkgs: pkgs!.stdout,
    });
  } else if (kind === 'zip') {
    ({ appPath, installOutput } = await installZip(guest, localPath, options.stagingDir, common));
  } else {
    const hostDir = await mkdtemp(join(tmpdir(), 'sxl-app-zip-'));
    try {
      const zipPath = join(hostDir, `${basename(localPath.replace(/\/+$/, ''))}.zip`);
      await zipBundle(localPath, zipPath, { signal: options.signal });
      ({ appPath, installOutput } = await installZip(guest, zipPath, options.stagingDir, common));
    } finally {
      await rm(hostDir, { recursive: true, force: true });
    }
  }
  const { app, extensions, signing } = await readAppBundle(guest, appPath, common);
  return { source: localPath, appPath, app, extensions, installOutput, signing };
}

/**
 * Uploads a zip of an app, unpacks it into a staging folder with `ditto -x -k` (which restores
 * symlinks), takes the one .app at its top (its name, not the zip's, names the app), and replaces
 * /Applications/<name> with it. Replacing rather than merging: files of an older version left in
 * the bundle would break its seal.
 */
async function installZip(
  guest: GuestSession,
  zipPath: string,
  stagingDir: string,
  common: { signal?: AbortSignal; timeoutMs: number },
): Promise<{ appPath: string; installOutput: string }> {
  const name = basename(zipPath);
  const staged = posix.join(stagingDir, name);
  const unpacked = posix.join(stagingDir, `${name.replace(/\.zip$/, '')}.unpacked`);
  await guest.execEach(
    [
      ['mkdir', '-p', stagingDir],
      ['rm', '-rf', staged, unpacked],
    ],
    common,
  );
  await guest.upload(zipPath, staged, common);
  const unzip = await guest.exec(['ditto', '-x', '-k', staged, unpacked], common);
  const listing = (await guest.exec(['ls', '-1', unpacked], common)).stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  // ditto -c -k --sequesterRsrc adds __MACOSX/ for extended attributes; it is not part of the app.
  const apps = listing.filter((entry) => entry.endsWith('.app'));
  if (apps.length !== 1) {
    throw new ConfigError(
      'build',
      `Build ${zipPath} has ${apps.length === 0 ? 'no' : `${apps.length}`} .app at the top of its zip on ${guest.target}: expected one (make it with \`ditto -c -k --keepParent X.app X.zip\`); the zip's top level: ${listing.join(', ') || 'empty'}`,
    );
  }
  const appName = apps[0] as string;
  const appPath = posix.join('/Applications', appName);
  await guest.exec(['sudo', '-n', 'rm', '-rf', appPath], common);
  const copy = await guest.exec(['sudo', '-n', 'ditto', posix.join(unpacked, appName), appPath], common);
  await guest.exec(['rm', '-rf', unpacked], common);
  return { appPath, installOutput: unzip.stdout + unzip.stderr + copy.stdout + copy.stderr };
}

/** `date -u +%s` as it answered. */
function epochSeconds(result: ExecResult, target: string): number {
  const seconds = Number(result.stdout.trim());
  if (!Number.isInteger(seconds))
    throw new Error(`Unexpected output of \`date -u +%s\` on ${target}: ${result.stdout}`);
  return seconds;
}
