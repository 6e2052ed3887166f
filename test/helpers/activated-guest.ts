// A simulated guest reached over real SSH, for the harness/macos tests: booted, connected, and on
// request with sample 1.1 installed and its network extension activated (approved on the way).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activateExtension } from '../../harness/macos/activation.ts';
import type { BundleInfo } from '../../harness/macos/bundle-info.ts';
import { type InstalledBuild, installBuild } from '../../harness/macos/install-build.ts';
import { GuestSession } from '../../harness/ssh/guest-session.ts';
import { makeSampleBuilds } from '../../sim/builds/make-sample-builds.ts';
import type { QuirkSettings } from '../../sim/quirks.ts';
import { bootTestGuest, type TestGuest } from './sim-guest.ts';

export interface ConnectedGuest extends AsyncDisposable {
  vm: TestGuest;
  guest: GuestSession;
}

export async function connectedGuest(quirks: QuirkSettings = {}): Promise<ConnectedGuest> {
  const vm = await bootTestGuest({ quirks });
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  return {
    vm,
    guest,
    [Symbol.asyncDispose]: async () => {
      guest.close();
      await vm.guest.powerOff();
    },
  };
}

/** Builds the sample packages into a temporary folder; `remove` deletes it. */
export async function sampleBuilds(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sxl-samples-'));
  await makeSampleBuilds(dir);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Installs sample 1.1 from `buildsDir` and activates its network extension. */
export async function activateSample(
  guest: GuestSession,
  buildsDir: string,
): Promise<{ build: InstalledBuild; proxy: BundleInfo }> {
  const build = await installBuild(guest, join(buildsDir, 'SXL Sample 1.1.pkg'), {
    stagingDir: '/Users/admin/sxl-stage',
  });
  const proxy = build.extensions.find((e) => e.machServiceName);
  if (!proxy) throw new Error('sample 1.1 has no network extension');
  await activateExtension(guest, build.appPath, proxy, { timeoutMs: 10_000, approvalSettleMs: 2_000 });
  return { build, proxy };
}
