// `tart pull` lays out a fresh guest disk for a golden image: the rootfs a macOS install would
// have (the parts the harness touches), the sshd host key and the model's initial state.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageManifest } from '../images.ts';
import { hostPath } from './guest-paths.ts';
import { toXmlPlist } from './plist.ts';
import { writeHostKey } from './ssh/host-key.ts';
import { type GuestState, newBootUuid, saveState } from './state.ts';

export const ROOTFS_DIR = 'rootfs';

const DIRECTORIES = [
  '/Applications',
  '/Library/SystemExtensions',
  '/Library/LaunchDaemons',
  '/System/Library/CoreServices',
  '/Users/Shared',
  '/private/tmp',
  '/private/var/tmp',
  '/private/var/log',
  '/private/var/root',
  '/private/var/db/receipts',
  '/private/etc/sudoers.d',
];

export async function createGuestDisk(guestDir: string, manifest: ImageManifest): Promise<void> {
  const rootfs = join(guestDir, ROOTFS_DIR);
  const home = `/Users/${manifest.user.name}`;
  for (const dir of [...DIRECTORIES, home, `${home}/Desktop`, `${home}/Documents`, `${home}/Downloads`]) {
    await mkdir(hostPath(rootfs, dir), { recursive: true });
  }
  await chmod(hostPath(rootfs, '/private/tmp'), 0o1777);
  await writeFile(
    hostPath(rootfs, '/System/Library/CoreServices/SystemVersion.plist'),
    toXmlPlist({
      BuildID: manifest.macos.buildVersion,
      ProductBuildVersion: manifest.macos.buildVersion,
      ProductCopyright: '1983-2025 Apple Inc.',
      ProductName: manifest.macos.productName,
      ProductUserVisibleVersion: manifest.macos.productVersion,
      ProductVersion: manifest.macos.productVersion,
      iOSSupportVersion: '18.5',
    }),
  );
  await writeFile(hostPath(rootfs, '/private/var/log/install.log'), '');
  // The Cirrus images give the admin user passwordless sudo; the shell's sudo relies on it.
  await writeFile(
    hostPath(rootfs, '/private/etc/sudoers.d/admin-nopasswd'),
    `${manifest.user.name} ALL=(ALL) NOPASSWD: ALL\n`,
  );
  await writeHostKey(guestDir);
  const state: GuestState = {
    format: 1,
    image: manifest.name,
    macos: { ...manifest.macos },
    hardwareModel: manifest.hardwareModel,
    hostname: `${manifest.user.name}s-Virtual-Machine.local`,
    user: { ...manifest.user, home },
    sip: manifest.sip,
    developerMode: false,
    bootCount: 0,
    bootUuid: newBootUuid(),
    bootTime: 0,
    // Early boot daemons hold the low pids.
    nextPid: 400,
    extensions: [],
    jobs: [],
    receipts: [],
    quirkCounters: {},
  };
  await saveState(guestDir, state);
}
