// Reconnecting after the guest went away on purpose (sleep, resume, reboot): SSH is retried until
// it answers, but only while the VM process runs. A `tart run` that ended will never answer, so
// waiting out the whole timeout would only hide why; the caller turns the ended run into its error.
import { race } from '../abort.ts';
import type { VmBackend, VmStopped } from '../backends/vm-backend.ts';
import { WaitTimeoutError } from '../errors.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export interface ReconnectContext {
  guest: GuestSession;
  backend: VmBackend;
  vm: string;
  signal?: AbortSignal;
}

/**
 * Reconnects SSH within `timeoutMs`, or throws `onStopped(...)` as soon as the VM process ends.
 * With `askAddress` the backend is asked where the guest is (a VM started again may come back at
 * another address); otherwise the guest is expected where it was.
 */
export async function reconnectWhileRunning(
  context: ReconnectContext,
  timeoutMs: number,
  onStopped: (stopped: VmStopped) => Error,
  options: { askAddress?: boolean } = {},
): Promise<void> {
  const { guest, backend, vm, signal } = context;
  await race<void>(
    [
      (s) =>
        options.askAddress
          ? reconnectAtAskedAddress(context, timeoutMs, s)
          : guest.reconnect({ signal: s, timeoutMs }),
      async (s) => {
        throw onStopped(await backend.whenStopped(vm, s));
      },
    ],
    signal,
  );
}

/** How long SSH is tried at one answer of the backend before it is asked again. */
const ADDRESS_RECHECK_MS = 5_000;

/**
 * The backend's first answer can be the address from before: `tart ip` reads bootpd's leases, which
 * change only once the guest runs and asks again. So SSH is tried at each answer for a few seconds,
 * then the backend is asked again, until `timeoutMs`.
 */
async function reconnectAtAskedAddress(
  { guest, backend, vm }: ReconnectContext,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const left = () => Math.max(0, Math.round(deadline - performance.now()));
  let lastSeen = '';
  for (;;) {
    const endpoint = await backend.endpoint(vm, { signal, timeoutMs: left() });
    try {
      await guest.reconnect({ signal, timeoutMs: Math.min(left(), ADDRESS_RECHECK_MS), endpoint });
      return;
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
      lastSeen = `${endpoint.host}:${endpoint.port}: ${error.lastSeen ?? error.message}`;
      if (left() === 0)
        throw new WaitTimeoutError('SSH at the address the backend gives', vm, timeoutMs, lastSeen);
    }
  }
}
