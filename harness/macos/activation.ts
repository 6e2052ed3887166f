// Activation as a user triggers it: launch the app, which submits its OSSystemExtensionRequest;
// approve the extension in System Settings when macOS waits for the user; wait for the state.
import { CheckFailedError } from '../errors.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import { approveExtension } from './approve-extension.ts';
import type { BundleInfo } from './bundle-info.ts';
import { describeVersion, waitForExtensionState } from './system-extensions.ts';

export interface ActivationOptions {
  /** Command that launches the app; the app path is appended. @default ['open', '-a'] */
  launchCommand?: readonly string[];
  signal?: AbortSignal;
  /** How long macOS may take to list the extension after launch. @default 60000 */
  timeoutMs?: number;
}

export const activationDefaults = { launchCommand: ['open', '-a'], timeoutMs: 60_000 } as const;

export async function launchApp(
  guest: GuestSession,
  appPath: string,
  options: ActivationOptions = {},
): Promise<void> {
  const command = [...(options.launchCommand ?? activationDefaults.launchCommand), appPath];
  await guest.exec(command, { signal: options.signal, timeoutMs: 30_000 });
}

/**
 * Launches the app and brings `extension` to [activated enabled], approving it if macOS asks.
 * An extension that never becomes enabled is a product failure, reported as a failed check.
 */
export async function activateExtension(
  guest: GuestSession,
  appPath: string,
  extension: BundleInfo,
  options: ActivationOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? activationDefaults.timeoutMs;
  await launchApp(guest, appPath, options);
  const version = {
    bundleId: extension.bundleId,
    shortVersion: extension.shortVersion,
    bundleVersion: extension.bundleVersion,
  };
  // macOS not reaching the state is the product failing to activate: a failed check, not a harness error.
  const waitOrFail = async (states: string[], failure: string) => {
    try {
      return await waitForExtensionState(guest, version, states, { signal: options.signal, timeoutMs });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new CheckFailedError('extension-activated', `${failure}: ${(error as Error).message}`);
    }
  };
  const row = await waitOrFail(
    ['activated enabled', 'activated waiting for user'],
    `Activation of ${describeVersion(version)} did not complete`,
  );
  if (row.state === 'activated waiting for user') {
    await approveExtension(guest, extension.name, { signal: options.signal });
    await waitOrFail(
      ['activated enabled'],
      `${describeVersion(version)} was approved but did not become [activated enabled]`,
    );
  }
}
