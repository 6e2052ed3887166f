// Reconnecting after the guest went away on purpose (sleep, resume, reboot): SSH is retried until
// it answers, but only while the VM process runs. A `tart run` that ended will never answer, so
// waiting out the whole timeout would only hide why; the caller turns the ended run into its error.
import { race } from '../abort.ts';
import type { VmBackend, VmStopped } from '../backends/vm-backend.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export interface ReconnectContext {
  guest: GuestSession;
  backend: VmBackend;
  vm: string;
  signal?: AbortSignal;
}

/** Reconnects SSH within `timeoutMs`, or throws `onStopped(...)` as soon as the VM process ends. */
export async function reconnectWhileRunning(
  context: ReconnectContext,
  timeoutMs: number,
  onStopped: (stopped: VmStopped) => Error,
): Promise<void> {
  const { guest, backend, vm, signal } = context;
  await race<void>(
    [
      (s) => guest.reconnect({ signal: s, timeoutMs }),
      async (s) => {
        throw onStopped(await backend.whenStopped(vm, s));
      },
    ],
    signal,
  );
}
