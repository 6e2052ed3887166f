// The sim's "registry": golden images are built from the manifests in vm-images/, the same
// manifests that describe the real golden images, so the sim and a real Mac boot the same spec.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ImageManifest {
  name: string;
  description: string;
  /** The image the real golden image is built from (Packer `vm_base_name`). */
  from: string;
  /** Remote names under which the simulated registry serves this image. */
  refs: string[];
  macos: { productName: string; productVersion: string; buildVersion: string };
  hardwareModel: string;
  sip: 'enabled' | 'disabled';
  user: { name: string; password: string; uid: number };
  cpuCount: number;
  memoryMb: number;
  diskGb: number;
  compressedDiskGb: number;
}

export const defaultImagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'vm-images');

export function loadImageManifests(
  dir: string = process.env.SXL_SIM_IMAGES ?? defaultImagesDir,
): ImageManifest[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as ImageManifest);
}

/** The manifest served under a remote name such as `ghcr.io/cirruslabs/macos-sequoia-base:latest`. */
export function findImageByRef(
  ref: string,
  manifests: ImageManifest[] = loadImageManifests(),
): ImageManifest | undefined {
  return manifests.find((m) => m.refs.includes(ref));
}
