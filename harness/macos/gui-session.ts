// On a real Mac sshd answers before the auto-login GUI session exists; until it does, `open` fails
// with LSOpenURLsWithRole() error -10810 (or -600) and System Events scripts fail
// (real-mac-review.md item 14). So after every boot and reboot the harness waits for the console
// to belong to the SSH user and for `launchctl print gui/<uid>` to succeed.
import { doNotRetry, retryUntil } from '../retry.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export const guiSessionDefaults = { timeoutMs: 120_000 } as const;

export async function waitForGuiSession(
  guest: GuestSession,
  options: {
    signal?: AbortSignal;
    /** @default 120000 */
    timeoutMs?: number;
  } = {},
): Promise<void> {
  const { signal } = options;
  const user = guest.endpoint.credentials.username;
  const uid = (await guest.exec(['id', '-u'], { signal })).stdout.trim();
  // A dropped connection does not come back while we poll (nothing reconnects here): stop at once.
  const orGiveUp = (error: unknown) => {
    throw guest.isConnected ? error : doNotRetry(error);
  };
  await retryUntil(
    async () => {
      // Both looks in one SSH exec per attempt: this wait repeats them while the guest logs in.
      const [owner, domain] = await guest
        .execEach(
          [
            ['stat', '-f%Su', '/dev/console'],
            ['launchctl', 'print', `gui/${uid}`],
          ],
          { signal, allowFailure: true },
        )
        .catch(orGiveUp);
      const console = owner!.stdout.trim();
      if (owner!.exitCode !== 0 || console !== user)
        throw new Error(
          `/dev/console belongs to ${console || `nobody (${owner!.stderr.trim()})`}, not ${user}`,
        );
      if (domain!.exitCode !== 0)
        throw new Error(`launchctl print gui/${uid} exit ${domain!.exitCode}: ${domain!.stderr.trim()}`);
    },
    {
      what: `the GUI session of ${user} (console owner, launchctl print gui/${uid})`,
      vm: guest.label,
      timeoutMs: options.timeoutMs ?? guiSessionDefaults.timeoutMs,
      intervalMs: 10,
      backoffFactor: 2,
      maxIntervalMs: 1000,
      signal,
    },
  );
}
