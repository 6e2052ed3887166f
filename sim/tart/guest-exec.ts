// The sim's guest agent client: runs one command in the guest over SSH through <vm>/control.sock
// (the only module of sim/tart that imports the ssh2 client). Real tart speaks gRPC to the Tart
// Guest Agent there; the sim's agent is the guest's SSH server, logged in as the image's user.
import { connect as netConnect } from 'node:net';
import { Client } from 'ssh2';

export interface GuestExecOptions {
  socketPath: string;
  username: string;
  password: string;
  /** argv as given to `tart exec`; quoted for the guest's shell here. */
  argv: readonly string[];
  /** Streamed to the command when given (`-i`); otherwise its stdin is closed at once. */
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Connecting and logging in (not the command itself) must finish within this. */
  connectTimeoutMs: number;
  /** Aborting closes the session; the command's exit code is then unknown. */
  signal?: AbortSignal;
}

/** The agent could not be reached: no socket, nobody listening, or the guest refused the session. */
export class GuestAgentUnreachableError extends Error {
  override name = 'GuestAgentUnreachableError';
}

/** The session ended before the command reported an exit status. */
export class GuestExecLostError extends Error {
  override name = 'GuestExecLostError';
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argv into one command line for the guest's zsh, each word single-quoted unless plain. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map((word) => (SAFE_WORD.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`)).join(' ');
}

/** Runs the command; resolves with its exit code (128 + n for a signal, as a shell reports it). */
export function guestExec(options: GuestExecOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let ready = false;
    let settled = false;
    const finish = (outcome: { code: number } | { error: Error }) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      client.end();
      if ('code' in outcome) resolve(outcome.code);
      else reject(outcome.error);
    };
    const onAbort = () =>
      finish({
        error: new GuestExecLostError(`the exec session was aborted: ${String(options.signal?.reason)}`),
      });
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const socket = netConnect(options.socketPath);
    client.on('error', (error) => {
      finish({
        error: ready
          ? new GuestExecLostError(`the connection to the guest agent was lost: ${error.message}`)
          : new GuestAgentUnreachableError(error.message, { cause: error }),
      });
    });
    client.on('close', () => {
      finish({
        error: ready
          ? new GuestExecLostError('the guest agent closed the session before the command exited')
          : new GuestAgentUnreachableError('the guest agent closed the connection'),
      });
    });
    client.on('ready', () => {
      ready = true;
      client.exec(shellJoin(options.argv), (error, channel) => {
        if (error) return finish({ error: new GuestExecLostError(error.message) });
        let exitCode: number | undefined;
        channel.on('exit', (code: number | null, signalName?: string) => {
          exitCode = code ?? (signalName ? 128 + signalNumber(signalName) : 1);
        });
        channel.on('close', () => {
          if (exitCode !== undefined) finish({ code: exitCode });
          else finish({ error: new GuestExecLostError('the command ended without an exit status') });
        });
        channel.pipe(options.stdout, { end: false });
        channel.stderr.pipe(options.stderr, { end: false });
        if (options.stdin) options.stdin.pipe(channel);
        else channel.end();
      });
    });
    client.connect({
      sock: socket,
      username: options.username,
      password: options.password,
      readyTimeout: options.connectTimeoutMs,
    });
  });
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, PIPE: 13, TERM: 15 };

function signalNumber(name: string): number {
  return SIGNALS[name.replace(/^SIG/, '')] ?? 0;
}
