// Boots one simulated macOS guest in this process, for tests of the ssh adapter and macOS layer.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshEndpoint } from '../../harness/ssh/guest-session.ts';
import { bootGuest, type RunningGuest } from '../../sim/guest/boot.ts';
import { createGuestDisk } from '../../sim/guest/disk.ts';
import { findImageByRef, type ImageManifest } from '../../sim/images.ts';
import type { QuirkSettings } from '../../sim/quirks.ts';
import { freePort } from './free-port.ts';

export interface TestGuest {
  endpoint: SshEndpoint;
  vmDir: string;
  guest: RunningGuest;
  poweredOff: Promise<void>;
}

export async function bootTestGuest(
  options: {
    quirks?: QuirkSettings;
    seed?: number;
    vmName?: string;
    vmDir?: string;
    /** Scale of the modelled delays (boot, GUI session). @default 0 */
    timeScale?: number;
    /** The image the disk is made from. @default the sequoia base image */
    image?: string;
    /** Changes the image's manifest before the disk is made (e.g. SIP on). */
    mutate?: (manifest: ImageManifest) => void;
  } = {},
): Promise<TestGuest> {
  const image = options.image ?? 'ghcr.io/cirruslabs/macos-sequoia-base:latest';
  const found = findImageByRef(image);
  if (!found) throw new Error(`vm-images has no manifest for ${image}`);
  const manifest = structuredClone(found);
  options.mutate?.(manifest);
  let vmDir = options.vmDir;
  if (!vmDir) {
    vmDir = join(mkdtempSync(join(tmpdir(), 'sxl-guest-')), 'vm');
    mkdirSync(vmDir, { recursive: true });
    await createGuestDisk(join(vmDir, 'guest'), manifest);
  }
  const host = '127.0.0.1';
  const port = await freePort(host);
  let markOff = () => {};
  const poweredOff = new Promise<void>((resolve) => {
    markOff = resolve;
  });
  const guest = await bootGuest({
    vmDir,
    vmName: options.vmName ?? 'sxl-test-1',
    host,
    port,
    settings: { quirks: options.quirks ?? {}, seed: options.seed ?? 1, timeScale: options.timeScale ?? 0 },
    onPowerOff: () => markOff(),
  });
  return {
    endpoint: { host, port, credentials: { username: 'admin', password: 'admin' } },
    vmDir,
    guest,
    poweredOff,
  };
}
