// Builds a golden image folder from a manifest, as a pull from the sim registry would leave it.
import { closeSync, ftruncateSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageManifest } from '../images.ts';
import { newVmConfig, writeVmConfig } from './vm-config.ts';

export const GB = 1_000_000_000;
/** VZMacAuxiliaryStorage files of real macOS VMs are about this size. */
const NVRAM_BYTES = 128 * 1024;

/** Creates (or resizes) the sparse disk.img: apparent size = `gb`, allocated = what was written. */
export function sizeDisk(path: string, gb: number): void {
  const fd = openSync(path, 'a');
  try {
    ftruncateSync(fd, gb * GB);
  } finally {
    closeSync(fd);
  }
}

export async function buildImage(dir: string, manifest: ImageManifest): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const nvram = Buffer.alloc(NVRAM_BYTES);
  nvram.write(`sxl-sim nvram for ${manifest.name}\n`);
  writeFileSync(join(dir, 'nvram.bin'), nvram);
  sizeDisk(join(dir, 'disk.img'), manifest.diskGb);
  // Loaded here so that commands other than pull and run do not load the guest (and ssh2).
  const { createGuestDisk } = await import('../guest/disk.ts');
  await createGuestDisk(join(dir, 'guest'), manifest);
  // config.json last: a folder only counts as a VM once all three files exist.
  writeVmConfig(dir, newVmConfig(manifest));
}
