// The network extension a scenario works on: the embedded system extension with NEMachServiceName.
import type { BundleInfo, InstalledBuild } from '../harness/index.ts';

export function networkExtension(build: InstalledBuild): BundleInfo {
  const extension = build.extensions.find((e) => e.machServiceName);
  if (!extension) {
    const found = build.extensions.map((e) => e.bundleId).join(', ') || 'none';
    throw new Error(
      `${build.source}: ${build.appPath} embeds no network extension with NEMachServiceName (system extensions: ${found})`,
    );
  }
  return extension;
}
