// Reboot the guest and reconnect: `sudo -n reboot`, wait for the connection to drop, then for SSH.
import { WaitTimeoutError } from '../errors.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import { waitForDrop } from './connection-drop.ts';
import { waitForGuiSession } from './gui-session.ts';

export const rebootDefaults = { dropTimeoutMs: 60_000, reconnectTimeoutMs: 180_000 } as const;

export async function rebootGuest(
  guest: GuestSession,
  options: { signal?: AbortSignal; dropTimeoutMs?: number; reconnectTimeoutMs?: number } = {},
): Promise<void> {
  const dropTimeoutMs = options.dropTimeoutMs ?? rebootDefaults.dropTimeoutMs;
  try {
    await guest.exec(['sudo', '-n', 'reboot'], {
      signal: options.signal,
      timeoutMs: 30_000,
      allowFailure: true,
    });
  } catch (error) {
    // The connection may drop before the exit status comes back: that is the reboot starting.
    if (options.signal?.aborted) throw error;
  }
  // A drop while the command ran counts: waitForDrop sees the closed connection at once.
  const didDrop = await waitForDrop(guest, { timeoutMs: dropTimeoutMs, signal: options.signal });
  if (!didDrop)
    throw new WaitTimeoutError(
      'the SSH connection to drop after `sudo -n reboot`',
      guest.label,
      dropTimeoutMs,
    );
  await guest.reconnect({
    signal: options.signal,
    timeoutMs: options.reconnectTimeoutMs ?? rebootDefaults.reconnectTimeoutMs,
  });
  // sshd answers before the auto-login GUI session: `open` and osascript need it.
  await waitForGuiSession(guest, { signal: options.signal });
}
