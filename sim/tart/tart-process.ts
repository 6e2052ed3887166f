// The process a tart invocation is, as other tart invocations see it: the pid that lock files hold
// and that `tart stop` and `tart suspend` signal. Run directly, that is this Node process; served by
// the sim daemon (daemon.ts), it is the thin `tart` client, which relays its signals here.

/** The signals `tart run` handles: stop (INT), suspend (USR1), graceful stop request (USR2). */
export type RelayedSignal = 'SIGINT' | 'SIGUSR1' | 'SIGUSR2';

export interface TartProcess {
  readonly pid: number;
  /** Subscribes to a signal sent to `pid`; returns the unsubscribe function. */
  onSignal(signal: RelayedSignal, handler: () => void): () => void;
  /**
   * Subscribes to the end of the process that `pid` names while the command still runs (the
   * client was killed). A process that runs the command itself never sees its own end.
   */
  onGone(handler: () => void): () => void;
}

export const currentProcess: TartProcess = {
  pid: process.pid,
  onSignal(signal, handler) {
    process.on(signal, handler);
    return () => process.off(signal, handler);
  },
  onGone() {
    return () => {};
  },
};

/**
 * Tells whether the process of a command was killed while the command waited. A real tart process
 * that is killed ends where it is: a clone or pull killed before it moved its copy into place leaves
 * no VM and no cached image (tart copies into a temporary folder first). Served by the daemon, the
 * command would otherwise run on after its client died and leave a VM that nobody asked for.
 */
export function watchProcess(proc: TartProcess): { readonly gone: boolean; dispose(): void } {
  const state = { gone: false, dispose: () => {} };
  state.dispose = proc.onGone(() => {
    state.gone = true;
  });
  return state;
}

/**
 * Whether the watched process was killed by now, asked right before a command moves its copy into
 * place. It first lets the daemon read what the client's socket already holds: libuv stops reading
 * a socket at a short read, so a client's end that came right after its request is read in the
 * next poll phase of the event loop, and a command that runs without waiting would finish first.
 * Two turns: the first ends the loop iteration that read the request, the second follows a poll.
 */
export async function killedByNow(watch: { readonly gone: boolean }): Promise<boolean> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  return watch.gone;
}

/** Ends a command whose process was killed (watchProcess): nobody reads its exit code. */
export class ProcessKilledError extends Error {
  constructor() {
    super('the tart process was killed');
    this.name = 'ProcessKilledError';
  }
}
