// Waiting for the guest to drop its SSH connection (a sleep, a reboot): one bounded wait whose
// timer and close listener end with it, whichever way it ends.
import { delay, race } from '../abort.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

/**
 * After the timeout, how long a close that is already under way still counts. A harness that was
 * busy (a loaded host) runs its expired timer before the socket events that queued meanwhile, and a
 * socket's close is announced only after its handle has closed: the timer alone would call a drop
 * that had happened "no drop".
 */
const CLOSE_GRACE_MS = 50;

/** Resolves true once the connection has dropped, false when `timeoutMs` (and the grace) passes first. */
export function waitForDrop(
  guest: GuestSession,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<boolean> {
  return race<boolean>(
    [
      (signal) => connectionClosed(guest, signal),
      async (signal) => {
        await delay(options.timeoutMs, signal);
        // A second timer, not one longer one: it starts once the first has run, so the socket
        // events that waited behind that timer are read before "no drop" is said.
        await delay(CLOSE_GRACE_MS, signal);
        return false;
      },
    ],
    options.signal,
  );
}

function connectionClosed(guest: GuestSession, signal: AbortSignal): Promise<true> {
  return new Promise((resolve, reject) => {
    if (!guest.isConnected) {
      resolve(true);
      return;
    }
    const onAbort = () => {
      stop();
      reject(signal.reason);
    };
    const stop = guest.onClose(() => {
      stop();
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
