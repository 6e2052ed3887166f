// The sim daemon: one long-lived Node process per TART_HOME and sim settings that runs tart
// invocations for the thin `tart` client (sim/bin/tart), so that a call costs a bash process
// instead of a Node start-up (0.15 s each, six per harness iteration). The daemon runs the very
// same main() as a process of its own would; what differs is only where the bytes and signals go:
// - the client sends `SXLTART1`, its pid and its arguments, NUL-separated; then one line
//   `s<SIGNAL>` per signal it receives (INT, USR1, USR2);
// - the daemon answers with lines: `1<text>` (stdout), `2<text>` (stderr), `x<code>` (exit),
//   `d` (run this invocation directly, in a Node process of its own) or `r` (this daemon retired:
//   sim/ changed since it started; start a fresh one).
// The client's pid stands for the invocation: lock files hold it and `tart stop` signals it, and a
// client that dies takes its VM with it, as a VZ machine dies with the tart process that runs it.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './cli.ts';
import type { TartIo } from './io.ts';
import { unlinkQuietly } from './run-lock.ts';
import type { RelayedSignal, TartProcess } from './tart-process.ts';

const MAGIC = 'SXLTART1';
/** With no client connected for this long, the daemon exits; a running VM keeps its client connected. */
export const IDLE_EXIT_MS = 10_000;
const START_TIMEOUT_MS = 15_000;
const STALE_CHECK_INTERVAL_MS = 500;
/** Invocations that need the client's own streams run in a Node process of their own. */
const DIRECT_COMMANDS = new Set(['exec']);
const SIGNALS: ReadonlySet<string> = new Set<RelayedSignal>(['SIGINT', 'SIGUSR1', 'SIGUSR2']);

interface Request {
  pid: number;
  argv: string[];
}

/** Parses the NUL-separated header; undefined while incomplete. Throws on a malformed one. */
export function parseRequest(buffer: Buffer): { request: Request; rest: Buffer } | undefined {
  const fields: string[] = [];
  let start = 0;
  let argc: number | undefined;
  for (;;) {
    const end = buffer.indexOf(0, start);
    if (end < 0) return undefined;
    fields.push(buffer.subarray(start, end).toString('utf8'));
    start = end + 1;
    if (fields.length === 3) {
      const [magic, pid, count] = fields as [string, string, string];
      if (magic !== MAGIC)
        throw new Error(`not a tart client request (starts with ${JSON.stringify(magic)})`);
      argc = Number(count);
      if (!/^\d+$/.test(pid) || !Number.isInteger(argc) || argc < 0) {
        throw new Error(
          `malformed request header: pid ${JSON.stringify(pid)}, argc ${JSON.stringify(count)}`,
        );
      }
    }
    if (argc !== undefined && fields.length === 3 + argc) {
      return { request: { pid: Number(fields[1]), argv: fields.slice(3) }, rest: buffer.subarray(start) };
    }
  }
}

/** Stdout and stderr of one invocation as frames on the client's connection. */
function socketIo(socket: Socket): TartIo {
  const frame = (channel: '1' | '2', text: string) => {
    if (socket.destroyed) return;
    socket.write(
      text
        .split('\n')
        .map((line) => `${channel}${line}\n`)
        .join(''),
    );
  };
  return { out: (line) => frame('1', line), err: (line) => frame('2', line) };
}

/** The client process as the invocation sees it: its pid, its relayed signals, its death. */
class ClientProcess implements TartProcess {
  private readonly events = new EventEmitter();
  /** Signals that came before the command subscribed to them: it gets them when it does. */
  private readonly early: RelayedSignal[] = [];
  gone = false;
  constructor(readonly pid: number) {}

  onSignal(signal: RelayedSignal, handler: () => void): () => void {
    this.events.on(signal, handler);
    if (this.early.includes(signal)) {
      this.early.splice(this.early.indexOf(signal), 1);
      queueMicrotask(handler);
    }
    return () => this.events.off(signal, handler);
  }

  onGone(handler: () => void): () => void {
    if (this.gone) queueMicrotask(handler);
    else this.events.on('gone', handler);
    return () => this.events.off('gone', handler);
  }

  deliver(line: string): void {
    const signal = line.startsWith('s') ? line.slice(1) : '';
    if (!SIGNALS.has(signal)) return;
    if (this.events.listenerCount(signal) > 0) this.events.emit(signal);
    else this.early.push(signal as RelayedSignal);
  }

  end(): void {
    if (this.gone) return;
    this.gone = true;
    this.events.emit('gone');
  }
}

interface DaemonOptions {
  /** True once sim/ changed after this daemon loaded it; checked at most twice a second. */
  isStale?: () => boolean;
  idleExitMs?: number;
}

class Daemon {
  private readonly clients = new Set<Socket>();
  private idleTimer: NodeJS.Timeout | undefined;
  private retired = false;
  private staleCheckedAt = 0;
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly server: Server,
    private readonly portFile: string,
    private readonly port: number,
    private readonly options: DaemonOptions,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    server.on('connection', (socket) => this.accept(socket));
    this.armIdleTimer();
  }

  private ownsPortFile(): boolean {
    try {
      return readDaemonFile(this.portFile)?.port === this.port;
    } catch {
      return false;
    }
  }

  /** Stops taking new clients; the process ends once the last connected one is done. */
  retire(): void {
    if (this.retired) return;
    this.retired = true;
    // A daemon that retires for another reason (stale) must not wait out its idle timer to end.
    clearTimeout(this.idleTimer);
    if (this.ownsPortFile()) unlinkQuietly(this.portFile);
    this.server.close();
    this.maybeExit();
  }

  private maybeExit(): void {
    if (this.retired && this.clients.size === 0) this.resolveDone();
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    if (this.retired || this.clients.size > 0) return;
    this.idleTimer = setTimeout(() => this.retire(), this.options.idleExitMs ?? IDLE_EXIT_MS);
  }

  private isStale(): boolean {
    // The port file went away (TART_HOME deleted) or names another daemon: nobody new finds us.
    if (!this.ownsPortFile()) return true;
    const now = Date.now();
    if (!this.options.isStale || now - this.staleCheckedAt < STALE_CHECK_INTERVAL_MS) return false;
    this.staleCheckedAt = now;
    return this.options.isStale();
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    this.clients.add(socket);
    clearTimeout(this.idleTimer);
    let buffer = Buffer.alloc(0);
    let client: ClientProcess | undefined;
    let pendingLine = '';
    // After the request, the client sends one line per relayed signal.
    const deliver = (to: ClientProcess, text: string) => {
      const lines = (pendingLine + text).split('\n');
      pendingLine = lines.pop() ?? '';
      for (const line of lines) to.deliver(line);
    };
    socket.on('data', (chunk: Buffer) => {
      if (client) {
        deliver(client, chunk.toString('utf8'));
        return;
      }
      buffer = Buffer.concat([buffer, chunk]);
      let parsed: ReturnType<typeof parseRequest>;
      try {
        parsed = parseRequest(buffer);
      } catch (error) {
        socket.end(`2tart (sim daemon): ${(error as Error).message}\nx70\n`);
        return;
      }
      if (!parsed) return;
      client = new ClientProcess(parsed.request.pid);
      void this.serve(socket, client, parsed.request.argv);
      // Signal lines that came in the same chunk as the request.
      deliver(client, parsed.rest.toString('utf8'));
    });
    socket.on('error', () => {});
    // The tart client keeps its socket open while it lives (it relays its signals on it): its end
    // is its death, at once, not when the daemon's own half of the socket has closed too.
    socket.on('end', () => client?.end());
    socket.on('close', () => {
      client?.end();
      this.clients.delete(socket);
      this.armIdleTimer();
      this.maybeExit();
    });
  }

  private async serve(socket: Socket, client: ClientProcess, argv: string[]): Promise<void> {
    if (this.retired || this.isStale()) {
      this.retire();
      socket.end('r\n');
      return;
    }
    if (DIRECT_COMMANDS.has(argv[0] ?? '')) {
      socket.end('d\n');
      return;
    }
    let code: number;
    try {
      code = await main(argv, socketIo(socket), client);
    } catch (error) {
      // main() turns every tart error into an exit code; this is a bug of the sim, said as such.
      socketIo(socket).err(`tart (sim daemon): internal error: ${(error as Error).stack ?? String(error)}`);
      code = 70;
    }
    if (!socket.destroyed) socket.end(`x${code}\n`);
  }
}

/** Runs the daemon until it retires (idle, stale, or its port file gone); resolves with its exit code. */
export async function serveDaemon(portFile: string, options: DaemonOptions = {}): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  // The port file is claimed atomically: of two daemons started at once, the second one leaves.
  const claim = `${portFile}.${process.pid}.tmp`;
  writeFileSync(claim, `${port} ${process.pid}\n`);
  try {
    linkSync(claim, portFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    server.close();
    return 0;
  } finally {
    unlinkQuietly(claim);
  }
  await new Daemon(server, portFile, port, options).done;
  // A daemon that had nothing to say leaves no empty log behind (one per start piled up). A log with
  // lines stays: it is what a failed start points to.
  removeIfEmpty(`${portFile}.log`);
  return 0;
}

function removeIfEmpty(path: string): void {
  try {
    if (statSync(path).size === 0) unlinkSync(path);
  } catch {
    // Gone already, or another daemon's start just made it.
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The port file's `<port> <pid>`, undefined when it is missing or malformed. */
export function readDaemonFile(portFile: string): { port: number; pid: number } | undefined {
  try {
    const [port, pid] = readFileSync(portFile, 'utf8').trim().split(' ').map(Number);
    if (!Number.isInteger(port) || !Number.isInteger(pid)) return undefined;
    return { port: port!, pid: pid! };
  } catch {
    return undefined;
  }
}

function readPort(portFile: string): number | undefined {
  return readDaemonFile(portFile)?.port;
}

/**
 * Makes sure a daemon answers on `portFile`: replaces a stale port file, starts a daemon detached
 * from the caller (its own session, output to `<portFile>.log`), waits until it answers.
 */
export async function startDaemon(portFile: string): Promise<number> {
  mkdirSync(dirname(portFile), { recursive: true });
  const port = readPort(portFile);
  if (port !== undefined && (await answers(port))) return 0;
  if (port !== undefined && readPort(portFile) === port) unlinkQuietly(portFile);
  const log = openSync(`${portFile}.log`, 'a');
  const tartd = fileURLToPath(new URL('../../sim/bin/tartd.mjs', import.meta.url));
  try {
    spawn(process.execPath, [tartd, 'serve', portFile], {
      detached: true,
      stdio: ['ignore', log, log],
    }).unref();
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const started = readPort(portFile);
    if (started !== undefined && (await answers(started))) return 0;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  process.stderr.write(
    `tart (sim): the sim daemon did not answer within ${START_TIMEOUT_MS / 1000} s; its log is ${portFile}.log\n`,
  );
  return 1;
}
