// A bare TCP connect from this process, as `sysext-lab doctor` needs it: Local Network privacy is
// decided per process on macOS 15 (TN3179), so only a connect from the harness itself tells.
import { connect } from 'node:net';
import { combineSignals } from '../abort.ts';

export type TcpProbeResult = { connected: true } | { connected: false; code: string; message: string };

/** One connect to host:port, bounded by `timeoutMs` and `signal`; never throws for a network error. */
export function tcpProbe(
  host: string,
  port: number,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<TcpProbeResult> {
  const signal = combineSignals({ signal: options.signal, timeoutMs: options.timeoutMs ?? 10_000 });
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (result: TcpProbeResult) => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () =>
      finish({ connected: false, code: 'ETIMEDOUT', message: `connect ETIMEDOUT ${host}:${port}` });
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ connected: true }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ connected: false, code: error.code ?? 'ERROR', message: error.message }),
    );
  });
}
