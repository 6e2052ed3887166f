// Forum report 1: after an app + network extension upgrade, the new extension's launchd job has no
// `endpoints` block in about one upgrade in five, so the app's XPC connection to the extension's
// NEMachServiceName is invalidated at once.
//
// Inputs: --from (the installed version) and --to (the upgrade), each a .pkg, .zip of an app, or
// .app, whose app embeds a network system extension with NEMachServiceName.
// Signature: check `xpc-endpoint-after-upgrade` fails.
import {
  type BundleInfo,
  checkExtensionState,
  checkXpcEndpointRegistered,
  defineScenario,
  type InstalledBuild,
} from '../harness/index.ts';

function networkExtension(build: InstalledBuild): BundleInfo {
  const extension = build.extensions.find((e) => e.machServiceName);
  if (!extension) {
    const found = build.extensions.map((e) => e.bundleId).join(', ') || 'none';
    throw new Error(
      `${build.source}: ${build.appPath} embeds no network extension with NEMachServiceName (system extensions: ${found})`,
    );
  }
  return extension;
}

export default defineScenario({
  id: 'upgrade-xpc',
  title: 'XPC endpoint of a network extension is still registered after an app + extension upgrade',
  report: 'forum report 1: XPC endpoint missing after an app + extension upgrade',
  inputs: {
    from: { description: 'the build installed first (.pkg, .zip or .app)', kind: 'build', required: true },
    to: {
      description: 'the upgrade, with different versions (.pkg, .zip or .app)',
      kind: 'build',
      required: true,
    },
  },
  signature: { check: 'xpc-endpoint-after-upgrade', description: 'lost the XPC endpoint' },
  async run(t) {
    const old = await t.step('install old build', () => t.installBuild('from'));
    const oldExtension = networkExtension(old);
    await t.step('activate old extension', () => t.activate(old, oldExtension));
    await t.step('check XPC endpoint before upgrade', () =>
      checkXpcEndpointRegistered(t.guest, oldExtension, {
        check: 'xpc-endpoint-before-upgrade',
        signal: t.signal,
      }),
    );

    const next = await t.step('install new build', () => t.installBuild('to'));
    const newExtension = networkExtension(next);
    if (newExtension.bundleId !== oldExtension.bundleId) {
      throw new Error(
        `--to embeds ${newExtension.bundleId} but --from embeds ${oldExtension.bundleId}: an upgrade replaces the same extension`,
      );
    }
    if (
      newExtension.shortVersion === oldExtension.shortVersion &&
      newExtension.bundleVersion === oldExtension.bundleVersion
    ) {
      throw new Error(
        `--from and --to carry the same versions (${newExtension.shortVersion}/${newExtension.bundleVersion}): macOS replaces only when they differ; use same-version-no-replace for that case`,
      );
    }
    await t.step('activate new extension (replacement)', () => t.activate(next, newExtension));
    await t.step('check old extension is terminated', () =>
      checkExtensionState(t.guest, oldExtension, 'terminated waiting to uninstall on reboot', {
        check: 'old-extension-terminated',
        signal: t.signal,
      }),
    );
    await t.step('check XPC endpoint after upgrade', () =>
      checkXpcEndpointRegistered(t.guest, newExtension, {
        check: 'xpc-endpoint-after-upgrade',
        signal: t.signal,
      }),
    );
  },
});
