// Check: `systemextensionsctl list` shows the extension, at this version, in this state. macOS
// moves extensions between states in the background (an upgraded version is [terminating for
// upgrade via delegate] before it is [terminated waiting to uninstall on reboot]), so with a
// deadline the list is read until the state shows; only a state other than the expected one and
// its legitimate way stations, at the deadline, is a failure, with that last list as evidence.
import { CheckFailedError, WaitTimeoutError } from '../errors.ts';
import {
  describeVersion,
  type ExtensionVersion,
  findExtension,
  readSystemExtensions,
} from '../macos/system-extensions.ts';
import { doNotRetry, pollPaces, retryUntil } from '../retry.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export const extensionStateCheckDefaults = {
  /** 0: one read. */
  deadlineMs: 0,
  transitional: [] as readonly string[],
} as const;

export interface ExtensionStateCheckOptions {
  check?: string;
  signal?: AbortSignal;
  /** How long the extension may take to reach the state, from the check's start; 0 reads once. @default 0 */
  deadlineMs?: number;
  /**
   * States it may legitimately pass through on the way. Still in one at the deadline, it is a
   * WaitTimeoutError (macOS slow or stuck, an error), never a failure of the product. @default []
   */
  transitional?: readonly string[];
  note?: (text: string) => void;
}

export async function checkExtensionState(
  guest: GuestSession,
  version: ExtensionVersion,
  expectedState: string,
  options: ExtensionStateCheckOptions = {},
): Promise<void> {
  const check = options.check ?? 'extension-state';
  const deadlineMs = options.deadlineMs ?? extensionStateCheckDefaults.deadlineMs;
  if (!(Number.isFinite(deadlineMs) && deadlineMs >= 0)) {
    throw new TypeError(`deadlineMs must be a number of ms >= 0, got ${deadlineMs}`);
  }
  const transitional = options.transitional ?? extensionStateCheckDefaults.transitional;
  let reads = 0;
  let lastState: string | undefined;
  try {
    await retryUntil(
      async () => {
        reads += 1;
        let read: Awaited<ReturnType<typeof readSystemExtensions>>;
        try {
          read = await readSystemExtensions(guest, options);
        } catch (error) {
          // The guest did not answer: no reason to read again, nothing about the product learnt.
          throw doNotRetry(error);
        }
        const { raw, extensions } = read;
        const row = findExtension(extensions, version);
        lastState = row?.state;
        if (row?.state === expectedState) return;
        const found = row
          ? `it is [${row.state}]`
          : `it is not listed; listed: ${extensions.map((e) => `${describeVersion(e)} [${e.state}]`).join(', ') || 'none'}`;
        throw new CheckFailedError(
          check,
          `Extension ${describeVersion(version)} is not [${expectedState}] in \`systemextensionsctl list\`: ${found}`,
          { 'systemextensionsctl-list.txt': raw },
        );
      },
      {
        what: `${describeVersion(version)} to be [${expectedState}]`,
        vm: guest.label,
        timeoutMs: deadlineMs,
        // sysextd moves states within seconds of our step.
        ...pollPaces.guestState,
        signal: options.signal,
        onAttemptFailed: (error, attempt) => {
          if (attempt === 1 && deadlineMs > 0)
            options.note?.(`polling up to ${deadlineMs} ms: ${error.message}`);
        },
      },
    );
  } catch (error) {
    const last = error instanceof WaitTimeoutError ? error.cause : error;
    if (!(last instanceof CheckFailedError)) throw error;
    const atDeadline = deadlineMs > 0 ? `; still so at the ${deadlineMs} ms deadline (${reads} reads)` : '';
    if (lastState !== undefined && transitional.includes(lastState)) {
      throw new WaitTimeoutError(
        `${describeVersion(version)} to leave [${lastState}] for [${expectedState}]`,
        guest.label,
        deadlineMs,
        `${last.message}${atDeadline}`,
        { cause: last },
      );
    }
    throw new CheckFailedError(check, `${last.message}${atDeadline}`, last.evidence);
  }
}
