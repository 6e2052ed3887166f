// A bare TCP connect from this process, as `sysext-lab doctor` needs it: Local Network privacy is
// decided per process on macOS 15 (TN3179), so only a connect from the harness itself tells.
import { connect } from 'node:net';

export type TcpProbeResult = { connected: true } | { connected: false; code: string; message: string };

/** One connect to host:port, bounded by `timeoutMs` and `signal`; never throws for a network error. */
export function tcpProbe(
  host: string,
  port: number,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<TcpProbeResult> {
  // A timer and a listener of its own, both removed when it ends: a poll probes every 100 ms for
  // minutes, and a combined signal per probe would pile listeners onto the caller's.
  const { signal } = options;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (result: TcpProbeResult) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () =>
      finish({ connected: false, code: 'ETIMEDOUT', message: `connect ETIMEDOUT ${host}:${port}` });
    const timer = setTimeout(onAbort, options.timeoutMs ?? 10_000);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ connected: true }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ connected: false, code: error.code ?? 'ERROR', message: error.message }),
    );
  });
}

/**
 * How long the probes have answered EHOSTUNREACH without a break: the function takes each probe's
 * answer and gives the milliseconds since the first EHOSTUNREACH of the current run, 0 after any
 * other answer (which ends the run). The Local Network refusal is an EHOSTUNREACH that persists.
 */
export function unreachableStreak(): (probe: TcpProbeResult) => number {
  let since: number | undefined;
  return (probe) => {
    if (probe.connected || probe.code !== 'EHOSTUNREACH') {
      since = undefined;
      return 0;
    }
    const now = Date.now();
    since ??= now;
    return now - since;
  };
}
