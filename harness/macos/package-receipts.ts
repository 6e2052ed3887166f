// Finds the app a .pkg installed, from the receipts macOS keeps (`pkgutil`): the package installed
// most recently, its install location, and the .app in its file list. pkgutil lists paths relative
// to the location: `X.app` for a package that installs to /Applications (location `Applications`),
// `Applications/X.app` for one that installs to / (location `/`).
import { posix } from 'node:path';
import { parsePkgutilFiles, parsePkgutilPkgInfo } from '../parse/pkgutil.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

/** An app at the top of the install location, or in /Applications of a package installed to /. */
export const APP_IN_RECEIPT = /^(?:Applications\/)?[^/]+\.app$/;

interface Receipt {
  id: string;
  location: string;
  installTime: number;
}

export async function findInstalledApp(
  guest: GuestSession,
  installedSince: number,
  options: {
    signal?: AbortSignal;
    timeoutMs?: number;
    /** The output of `pkgutil --pkgs` the caller read right after the install. @default read here */
    pkgs?: string;
  },
): Promise<string> {
  const { pkgs, ...execOptions } = options;
  const ids = (pkgs ?? (await guest.exec(['pkgutil', '--pkgs'], execOptions)).stdout)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const receipts: Receipt[] = [];
  const candidates = ids.filter((id) => !id.startsWith('com.apple.'));
  // Every receipt's info in one SSH exec; the file list too when there is one receipt to tell apart
  // (an image with no other package than ours), since it is the one the app is looked for in.
  const [only] = candidates.length === 1 ? candidates : [];
  const infos = candidates.length
    ? await guest.execEach(
        [
          ...candidates.map((id) => ['pkgutil', '--pkg-info', id]),
          ...(only ? [['pkgutil', '--files', only]] : []),
        ],
        execOptions,
      )
    : [];
  const fileLists = new Map(only ? [[only, infos[1]!.stdout]] : []);
  for (const [i, id] of candidates.entries()) {
    // Strict: which app the package installed is decided from these receipts.
    const info = parsePkgutilPkgInfo(infos[i]!.stdout, { strict: true });
    receipts.push({ id, location: info.location ?? '', installTime: info.installTime ?? 0 });
  }
  // The guest clock has one-second resolution in receipts; allow the install to start in the same second.
  const recent = receipts
    .filter((r) => r.installTime >= installedSince - 1)
    .sort((a, b) => b.installTime - a.installTime);
  for (const receipt of recent) {
    const listing =
      fileLists.get(receipt.id) ?? (await guest.exec(['pkgutil', '--files', receipt.id], execOptions)).stdout;
    const { files } = parsePkgutilFiles(listing, { strict: true });
    const app = files.find((f) => APP_IN_RECEIPT.test(f));
    if (app) return posix.join('/', receipt.location, app);
  }
  throw new Error(
    `Cannot tell which app the package installed on ${guest.target}: no receipt since ${installedSince} lists an app (X.app or Applications/X.app; receipts: ${receipts.map((r) => r.id).join(', ') || 'none'})`,
  );
}
