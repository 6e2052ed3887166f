// The only module that imports ssh2: one connection per VM, many channels on it, SFTP streams.
import { constants as osConstants } from 'node:os';
import type { Duplex, Writable } from 'node:stream';
import type { Client, ConnectConfig, SFTPWrapper } from 'ssh2';
import { combineSignals, isTimeoutReason } from '../abort.ts';
import { CommandError, TransferChecksumError } from '../errors.ts';
import { doNotRetry, pollPaces, retryUntil } from '../retry.ts';
import { batchNonce, batchScript, splitBatchOutput } from './batch-script.ts';
import { coalesceWrites } from './coalesce-writes.ts';
import {
  type SftpTransferOptions,
  type SftpTransferResult,
  sftpDownload,
  sftpEnded,
  sftpUpload,
} from './sftp-transfer.ts';
import { shellCommand } from './shell-quote.ts';
import { tcpProbe, unreachableStreak } from './tcp-probe.ts';

export interface SshCredentials {
  username: string;
  password?: string;
  privateKey?: string | Buffer;
}

export interface SshEndpoint {
  host: string;
  port: number;
  credentials: SshCredentials;
  /**
   * Opens the byte stream to the guest's SSH server when it is not reached by TCP to host:port
   * (Orchard's port-forward through the VM's worker); host and port then only name it.
   */
  connect?: (signal?: AbortSignal) => Promise<Duplex>;
}

export interface ExecResult {
  command: string;
  stdout: string;
  stderr: string;
  /**
   * null when the connection dropped before the command reported an exit status; 128 + the signal's
   * number when a signal killed it (what a shell's `$?` says), with `signal` set.
   */
  exitCode: number | null;
  /** The signal that killed the command, e.g. `SIGSEGV` (sshd's exit-signal). */
  signal?: string;
  durationMs: number;
}

/** What the transcript records for every command sent. */
export interface ExecRecord extends ExecResult {
  startedAt: Date;
  timedOut: boolean;
  /** Run as command `index` of `of` in one SSH exec (execEach): the duration is the whole exec's. */
  batch?: { index: number; of: number };
}

/** The caller's view of a record: without the transcript's own fields. */
function resultOf({
  startedAt: _startedAt,
  timedOut: _timedOut,
  batch: _batch,
  ...result
}: ExecRecord): ExecResult {
  return result;
}

/** What one SSH exec gave, before it is recorded and judged. */
interface CommandRun {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  killedBy: string | undefined;
  failure: unknown;
  durationMs: number;
  startedAt: Date;
  timedOut: boolean;
}

export interface ExecOptions {
  signal?: AbortSignal;
  /** @default 120000 */
  timeoutMs?: number;
  /** Return a non-zero exit instead of throwing CommandError. @default false */
  allowFailure?: boolean;
  stdin?: string | Buffer;
}

export interface ConnectOptions {
  /** Name for messages and transcripts, e.g. the VM name. */
  label: string;
  signal?: AbortSignal;
  /** Total time to keep trying, e.g. while the guest boots. @default 120000 */
  timeoutMs?: number;
  /** Bound for one attempt (TCP connect + handshake + auth). @default 10000 */
  attemptTimeoutMs?: number;
  /**
   * Give up, with the EHOSTUNREACH as the error, once every attempt for this long got it: this
   * process may not use the local network (TN3179), and the timeout would only delay the same
   * answer. For a first connect to a guest that has an address; a sleeping or rebooting guest
   * answers the same way for a while. @default never
   */
  unreachableGiveUpMs?: number;
}

export interface TransferOptions {
  signal?: AbortSignal;
  /** @default 600000 */
  timeoutMs?: number;
  onProgress?: (bytes: number) => void;
  /** Compare SHA-256 with the guest's `shasum -a 256` after the copy. @default true */
  verify?: boolean;
  /** Bytes per SFTP request. @default 65536 */
  chunkBytes?: number;
  /** SFTP requests in flight at once. @default 32 */
  inFlight?: number;
}

export const execDefaults = { timeoutMs: 120_000 } as const;

export class GuestSession {
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private connected = true;
  private operations = 0;
  private readonly listeners = new Set<(record: ExecRecord) => void>();
  private readonly closeListeners = new Set<() => void>();

  private constructor(
    private client: Client,
    private currentEndpoint: SshEndpoint,
    readonly label: string,
  ) {
    this.watch(client);
  }

  /** Connects with retry until the guest's sshd answers and accepts the credentials. */
  static async connect(endpoint: SshEndpoint, options: ConnectOptions): Promise<GuestSession> {
    const client = await connectWithRetry(endpoint, options);
    return new GuestSession(client, endpoint, options.label);
  }

  /** Where the guest answers SSH: the address it was reached at last. */
  get endpoint(): SshEndpoint {
    return this.currentEndpoint;
  }

  get target(): string {
    return `${this.label} (${this.endpoint.host}:${this.endpoint.port})`;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Commands, transfers and reconnects so far: equal counts mean nothing was done to the guest in between. */
  get operationCount(): number {
    return this.operations;
  }

  /** Called with every finished command, for transcripts. Returns an unsubscribe function. */
  onExec(listener: (record: ExecRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when the connection drops (guest shutdown, reboot, network loss). */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Runs a command; an argv array is quoted element by element, a string is sent as it is. */
  async exec(command: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const text = typeof command === 'string' ? command : shellCommand(command);
    const ran = await this.runCommand(text, options);
    const killed = ran.killedBy ? { signal: ran.killedBy } : {};
    const record: ExecRecord = {
      command: text,
      stdout: ran.stdout,
      stderr: ran.stderr,
      exitCode: ran.exitCode,
      ...killed,
      durationMs: ran.durationMs,
      startedAt: ran.startedAt,
      timedOut: ran.timedOut,
    };
    for (const listener of this.listeners) listener(record);
    this.throwIfFailed(record, ran, options);
    return resultOf(record);
  }

  /**
   * Runs several commands in one SSH exec, one after the other (batch-script.ts): each keeps its own
   * stdout, stderr and exit code, and has its own transcript record. For probes a wait repeats.
   * Without `allowFailure` the first command that exits non-zero throws its CommandError; a batch
   * cut short (lost connection, timeout) throws, whatever `allowFailure`, the CommandError of the
   * command it cut. A batch whose every command said its exit status has run, even should the
   * channel fail after the last one.
   */
  async execEach(commands: readonly (readonly string[])[], options: ExecOptions = {}): Promise<ExecResult[]> {
    const nonce = batchNonce();
    const ran = await this.runCommand(batchScript(commands, nonce), { ...options, stdin: undefined });
    const parts = splitBatchOutput(ran.stdout, ran.stderr, nonce, commands.length);
    const records = commands.map(
      (argv, i): ExecRecord => ({
        command: shellCommand(argv),
        ...parts[i]!,
        durationMs: ran.durationMs,
        startedAt: ran.startedAt,
        timedOut: ran.timedOut,
        batch: { index: i + 1, of: commands.length },
      }),
    );
    for (const record of records) for (const listener of this.listeners) listener(record);
    let settled = ran;
    if (ran.failure !== undefined) {
      // A batch cut short (a lost connection, a timeout) is the failure of the command it cut: the
      // first without an exit code, not one before it that had ended well. When every command
      // said its status before the channel failed, the batch ran whole: the next exec meets the
      // lost connection.
      const cut = records.find((record) => record.exitCode === null);
      if (cut || options.signal?.aborted) this.throwIfFailed(cut ?? records.at(-1)!, ran, options);
      settled = { ...ran, failure: undefined, timedOut: false };
    }
    for (const record of records) this.throwIfFailed(record, settled, options);
    return records.map(resultOf);
  }

  private async runCommand(text: string, options: ExecOptions): Promise<CommandRun> {
    this.operations += 1;
    const timeoutMs = options.timeoutMs ?? execDefaults.timeoutMs;
    const startedAt = new Date();
    const started = performance.now();
    let stdout = '';
    let stderr = '';
    let exitCode: number | null = null;
    let killedBy: string | undefined;
    let failure: unknown;
    try {
      ({
        stdout,
        stderr,
        exitCode,
        signal: killedBy,
      } = await this.runChannel(text, options.stdin, options.signal, timeoutMs));
    } catch (error) {
      failure = error;
      if (error instanceof ChannelError) ({ stdout, stderr } = error);
    }
    const durationMs = Math.round(performance.now() - started);
    const timedOut = failure !== undefined && isTimeoutReason(failure);
    return { stdout, stderr, exitCode, killedBy, failure, durationMs, startedAt, timedOut };
  }

  /** A user abort (Ctrl-C) propagates as its own reason; a timeout or a dropped connection is a CommandError. */
  private throwIfFailed(record: ExecRecord, ran: CommandRun, options: ExecOptions): void {
    const { failure } = ran;
    if (failure !== undefined && !ran.timedOut && options.signal?.aborted) throw options.signal.reason;
    if (failure !== undefined || (record.exitCode !== 0 && !options.allowFailure)) {
      throw new CommandError({
        command: record.command,
        exitCode: record.exitCode,
        ...(record.signal ? { signal: record.signal } : {}),
        stdout: record.stdout,
        stderr: record.stderr,
        durationMs: record.durationMs,
        timedOut: record.timedOut,
        target: this.target,
        ...(failure instanceof ChannelError && failure.refused ? { refused: failure.message } : {}),
        cause: failure instanceof ChannelError ? failure.cause : failure,
      });
    }
  }

  /**
   * Copies a local file to the guest over SFTP with parallel writes, never holding it whole in
   * memory; then compares its SHA-256 with the guest's `shasum -a 256` (TransferChecksumError).
   */
  async upload(localPath: string, remotePath: string, options: TransferOptions = {}): Promise<void> {
    this.operations += 1;
    const sftp = await this.sftp();
    const signal = combineSignals({ signal: options.signal, timeoutMs: options.timeoutMs ?? 600_000 });
    const copied = await this.transfer(`sftp put ${localPath} ${remotePath}`, sftp, options.signal, () =>
      sftpUpload(sftp, localPath, remotePath, { ...transferSettings(options), signal }),
    );
    if (options.verify ?? true) {
      this.compare('upload', remotePath, copied, await this.guestSha256(remotePath, signal));
    }
  }

  /**
   * Copies a guest file to a local path over SFTP with parallel reads, in file order, memory bounded;
   * then compares the SHA-256 of what was written with the guest's `shasum -a 256`.
   */
  async download(remotePath: string, localPath: string, options: TransferOptions = {}): Promise<void> {
    this.operations += 1;
    const sftp = await this.sftp();
    const signal = combineSignals({ signal: options.signal, timeoutMs: options.timeoutMs ?? 600_000 });
    // The guest hashes its file while it is copied: the check then costs no time of its own
    // (macOS's shasum is a Perl script, about as slow as the copy). A change during the copy shows.
    const remoteHash = (options.verify ?? true) ? this.guestSha256(remotePath, signal) : undefined;
    // A failed copy must not leave the hash's rejection unhandled.
    remoteHash?.catch(() => {});
    const copied = await this.transfer(`sftp get ${remotePath} ${localPath}`, sftp, options.signal, () =>
      sftpDownload(sftp, remotePath, localPath, { ...transferSettings(options), signal }),
    );
    if (remoteHash) this.compare('download', remotePath, copied, await remoteHash);
  }

  /**
   * Runs a copy; one cut off by the end of its SFTP channel (the sshd died, the connection dropped)
   * is a CommandError that says the connection was lost, as a command's would, not ssh2's bare
   * "No response from server".
   */
  private async transfer<T>(
    what: string,
    sftp: SFTPWrapper,
    signal: AbortSignal | undefined,
    copy: () => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    try {
      return await copy();
    } catch (error) {
      const ended = sftpEnded(sftp) || !this.connected;
      if (!ended || signal?.aborted) throw error;
      this.sftpSession = undefined;
      throw new CommandError({
        command: what,
        exitCode: null,
        stdout: '',
        stderr: '',
        durationMs: Math.round(performance.now() - started),
        timedOut: false,
        target: this.target,
        cause: error,
      });
    }
  }

  /** `shasum -a 256` of a guest file; undefined when the guest cannot hash it (no shasum, not readable). */
  private async guestSha256(
    remotePath: string,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const result = await this.exec(['shasum', '-a', '256', remotePath], {
      allowFailure: true,
      ...(signal === undefined ? {} : { signal }),
    });
    return result.exitCode === 0 ? /^([0-9a-f]{64}) /.exec(result.stdout)?.[1] : undefined;
  }

  // A guest that cannot hash the file leaves the copy unverified.
  private compare(
    direction: 'upload' | 'download',
    remotePath: string,
    copied: SftpTransferResult,
    remote: string | undefined,
  ): void {
    if (remote === undefined || remote === copied.sha256) return;
    throw new TransferChecksumError(direction, remotePath, this.target, copied.sha256, remote, copied.bytes);
  }

  /**
   * Replaces the connection after a reboot or a sleep that dropped it; at `endpoint` when the guest
   * came back at another address (asked of the backend again, as after a resume).
   */
  async reconnect(options: Omit<ConnectOptions, 'label'> & { endpoint?: SshEndpoint }): Promise<void> {
    this.operations += 1;
    this.client.end();
    this.sftpSession = undefined;
    const { endpoint = this.currentEndpoint, ...connect } = options;
    const client = await connectWithRetry(endpoint, { ...connect, label: this.label });
    this.currentEndpoint = endpoint;
    this.client = client;
    this.connected = true;
    this.watch(client);
  }

  /** Closes the connection; safe to call twice. */
  close(): void {
    this.connected = false;
    this.client.end();
  }

  private watch(client: Client): void {
    client.on('close', () => {
      if (client !== this.client) return;
      this.connected = false;
      this.sftpSession = undefined;
      for (const listener of this.closeListeners) listener();
    });
    // Errors after the handshake surface through the channels; the listener keeps them from crashing the process.
    client.on('error', () => {});
  }

  private runChannel(
    command: string,
    stdin: string | Buffer | undefined,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<{ stdout: string; stderr: string; exitCode: number | null; signal?: string }> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      if (!this.connected) {
        reject(new ChannelError('', '', new Error('not connected')));
        return;
      }
      const stdoutChunks: Buffer[] = [];
      const stderrChunks: Buffer[] = [];
      const text = () => ({
        stdout: Buffer.concat(stdoutChunks).toString('utf8'),
        stderr: Buffer.concat(stderrChunks).toString('utf8'),
      });
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      let closeChannel = () => {};
      const onAbort = () => {
        closeChannel();
        finish(() => reject(signal?.reason));
      };
      // A plain timer, not AbortSignal.any(AbortSignal.timeout): that pair cost about 0.3 ms of CPU
      // per command, and a command is sent every few milliseconds. The reason is the same TimeoutError.
      const timer = setTimeout(() => {
        closeChannel();
        finish(() => reject(new DOMException('The operation was aborted due to timeout', 'TimeoutError')));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.client.exec(command, (error, stream) => {
        if (error) {
          finish(() => reject(channelOpenError(error, this.connected)));
          return;
        }
        closeChannel = () => stream.close();
        let exitCode: number | null = null;
        let killedBy: string | undefined;
        stream.on('data', (chunk: Buffer) => stdoutChunks.push(chunk));
        stream.stderr.on('data', (chunk: Buffer) => stderrChunks.push(chunk));
        // sshd sends exit-status, or exit-signal when a signal ended the command (code null, `SIGSEGV`).
        stream.on('exit', (code: number | null, signalName?: string) => {
          if (code === null && signalName) {
            killedBy = signalName;
            exitCode = 128 + (osConstants.signals[signalName as keyof typeof osConstants.signals] ?? 0);
          } else exitCode = code;
        });
        stream.on('close', () => {
          const out = text();
          if (exitCode === null) {
            finish(() => reject(new ChannelError(out.stdout, out.stderr, new Error('connection lost'))));
          } else {
            const code = exitCode;
            finish(() => resolve({ ...out, exitCode: code, ...(killedBy ? { signal: killedBy } : {}) }));
          }
        });
        if (stdin !== undefined) stream.end(stdin);
        else stream.end();
      });
    });
  }

  /** The connection's SFTP channel, opened at the first transfer and kept while it is open. */
  private sftp(): Promise<SFTPWrapper> {
    if (this.sftpSession) return this.sftpSession;
    const opening = new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((error, sftp) => (error ? reject(error) : resolve(sftp)));
    });
    this.sftpSession = opening;
    // A channel that closed (the guest's sftp-server ended) or never opened is not kept: the next
    // transfer opens a new one instead of failing on the old one.
    const forget = () => {
      if (this.sftpSession === opening) this.sftpSession = undefined;
    };
    opening.then((sftp) => sftp.once('close', forget), forget);
    return opening;
  }
}

/** Carries the output received before a channel failed. */
class ChannelError extends Error {
  constructor(
    readonly stdout: string,
    readonly stderr: string,
    cause: Error,
    /** The server refused the channel while the connection stayed up (MaxSessions). */
    readonly refused = false,
  ) {
    super(cause.message, { cause });
  }
}

/**
 * A refused channel is not a lost connection: sshd answers a session over its MaxSessions (10 by
 * default) with an open failure (`open failed`, administratively prohibited) and keeps the connection.
 */
function channelOpenError(error: Error & { reason?: unknown }, connected: boolean): ChannelError {
  if (!connected || typeof error.reason !== 'number') return new ChannelError('', '', error);
  const detail = error.message.replace(/^\(SSH\) Channel open failure: /, '');
  return new ChannelError(
    '',
    '',
    new Error(
      `the server refused a new channel (${detail || 'no reason given'}, code ${error.reason}): more channels open at once than its MaxSessions allows`,
      { cause: error },
    ),
    true,
  );
}

function connectWithRetry(endpoint: SshEndpoint, options: ConnectOptions): Promise<Client> {
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
  const unreachableFor = unreachableStreak();
  return retryUntil(
    async (_, attemptSignal) => {
      // A stream the backend opens (Orchard's port-forward) is the only way to the guest: no probe.
      if (endpoint.connect)
        return connectOnce(endpoint, attemptTimeoutMs, attemptSignal, await endpoint.connect(attemptSignal));
      // A bare TCP connect first: it fails at once while sshd is not listening yet, so the poll can
      // look again within 100 ms instead of backing off a handshake to seconds.
      const probe = await tcpProbe(endpoint.host, endpoint.port, {
        timeoutMs: Math.min(attemptTimeoutMs, 2_000),
        signal: attemptSignal,
      });
      if (!probe.connected) {
        const unreachableMs = unreachableFor(probe);
        if (options.unreachableGiveUpMs !== undefined && unreachableMs >= options.unreachableGiveUpMs)
          throw doNotRetry(
            new Error(`${probe.message} on every attempt for ${Math.round(unreachableMs / 1000)} s`),
          );
        throw new Error(probe.message);
      }
      return connectOnce(endpoint, attemptTimeoutMs, attemptSignal);
    },
    {
      what: `SSH on ${endpoint.host}:${endpoint.port}`,
      vm: options.label,
      timeoutMs: options.timeoutMs ?? 120_000,
      ...pollPaces.quickLook,
      signal: options.signal,
    },
  );
}

async function connectOnce(
  endpoint: SshEndpoint,
  attemptTimeoutMs: number,
  signal: AbortSignal,
  sock?: Duplex,
): Promise<Client> {
  // ssh2 loads with the first connection: a CLI command that opens none (--help, list) starts faster.
  const { Client: SshClient } = await import('ssh2');
  return new Promise((resolve, reject) => {
    const client = new SshClient();
    const config: ConnectConfig = {
      ...(sock ? { sock } : { host: endpoint.host, port: endpoint.port }),
      username: endpoint.credentials.username,
      password: endpoint.credentials.password,
      privateKey: endpoint.credentials.privateKey,
      readyTimeout: attemptTimeoutMs,
      // Every VM is a fresh clone with its own host key: there is no known_hosts to check against.
      hostVerifier: () => true,
      keepaliveInterval: 5_000,
      keepaliveCountMax: 3,
    };
    // The wait gave up on this attempt (its deadline, Ctrl-C): the connection in progress ends with
    // it, or a late login would leave a client (and its keepalive timer) that nobody closes.
    const onAbort = () => {
      client.end();
      sock?.destroy();
      reject(signal.reason);
    };
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => {
      signal.removeEventListener('abort', onAbort);
      // Commands are small request/response exchanges: Nagle's algorithm would add ~40 ms to each.
      client.setNoDelay(true);
      // ssh2 keeps the stream it writes to in `_sock` (the TCP socket, or the stream given as sock).
      const stream = (client as unknown as { _sock?: Writable })._sock;
      if (stream) coalesceWrites(stream);
      resolve(client);
    });
    // A server that closes the connection after the key exchange but before the login is done (a
    // guest falling asleep again) ends ssh2's ready timer without an error: the attempt must end too.
    client.once('close', () => {
      signal.removeEventListener('abort', onAbort);
      reject(
        new Error(`the SSH connection to ${endpoint.host}:${endpoint.port} closed before the login was done`),
      );
    });
    // `on`, not `once`: a failed attempt can still emit a late ECONNRESET, which must not crash the process.
    client.on('error', (error: Error & { level?: string }) => {
      signal.removeEventListener('abort', onAbort);
      client.end();
      // Wrong credentials will not fix themselves while we wait.
      if (error.level === 'client-authentication') {
        reject(
          doNotRetry(
            new Error(
              `SSH authentication failed for user "${endpoint.credentials.username}" on ${endpoint.host}:${endpoint.port}: check the image's credentials`,
              { cause: error },
            ),
          ),
        );
      } else reject(error);
    });
    client.connect(config);
  });
}

function transferSettings(options: TransferOptions): SftpTransferOptions {
  return {
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
    ...(options.inFlight === undefined ? {} : { inFlight: options.inFlight }),
    // The hash is only worth its CPU when it is compared.
    hash: options.verify ?? true,
  };
}
