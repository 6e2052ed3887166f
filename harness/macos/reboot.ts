// Reboot the guest and reconnect: `sudo -n reboot`, wait for the connection to drop, then for SSH.
import type { VmBackend } from '../backends/vm-backend.ts';
import { HostCommandError, WaitTimeoutError } from '../errors.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import { waitForDrop } from './connection-drop.ts';
import { waitForGuiSession } from './gui-session.ts';
import { reconnectWhileRunning } from './reconnect.ts';

export const rebootDefaults = { dropTimeoutMs: 60_000, reconnectTimeoutMs: 180_000 } as const;

export interface RebootOptions {
  signal?: AbortSignal;
  /** @default 60000 */
  dropTimeoutMs?: number;
  /** @default 180000 */
  reconnectTimeoutMs?: number;
  /** The VM's backend and name: the reconnect stops as soon as its `tart run` ends. */
  vm?: { backend: VmBackend; name: string };
}

export async function rebootGuest(guest: GuestSession, options: RebootOptions = {}): Promise<void> {
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
  const reconnectTimeoutMs = options.reconnectTimeoutMs ?? rebootDefaults.reconnectTimeoutMs;
  if (options.vm) {
    const { backend, name } = options.vm;
    // A reboot stays inside one `tart run`: its end means the VM is gone, not rebooting.
    await reconnectWhileRunning(
      { guest, backend, vm: name, signal: options.signal },
      reconnectTimeoutMs,
      (stopped) =>
        new HostCommandError(
          `tart run ${name}`,
          stopped.exitCode,
          `the VM process ended during the reboot: ${stopped.description}`,
          0,
        ),
    );
  } else {
    await guest.reconnect({ signal: options.signal, timeoutMs: reconnectTimeoutMs });
  }
  // sshd answers before the auto-login GUI session: `open` and osascript need it.
  await waitForGuiSession(guest, { signal: options.signal });
}
