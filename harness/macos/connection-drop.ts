// Waiting for the guest to drop its SSH connection (a sleep, a reboot): one bounded wait whose
// timer and close listener end with it, whichever way it ends.
import { delay, race } from '../abort.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

/** Resolves true once the connection has dropped, false when `timeoutMs` passes first. */
export function waitForDrop(
  guest: GuestSession,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<boolean> {
  return race<boolean>(
    [
      (signal) => connectionClosed(guest, signal),
      (signal) => delay(options.timeoutMs, signal).then(() => false),
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
