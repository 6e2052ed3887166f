// The guest's sshd: an ssh2 Server fed from our own TCP listener (so the guest can refuse
// connections while it boots and drop them all at power-off), public key, password and
// keyboard-interactive auth for the image's user, exec channels through the shell interpreter (or
// legacy scp's server half), a login shell, and the sftp subsystem, each ending as OpenSSH's sshd ends a session:
// exit-status (or exit-signal), then EOF, then close; at most MaxSessions sessions per connection.
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2, { type Connection, type ServerChannel } from 'ssh2';
import type { Machine } from '../machine.ts';
import { rollQuirk } from '../model/quirk-dice.ts';
import { loginEnv, runLoginCommand } from '../shell/interpreter.ts';
import { expandWord, parseScript } from '../shell/parse.ts';
import { publicKeyAccepted } from './authorized-keys.ts';
import { runLoginShell, type ShellEnd } from './login-shell.ts';
import { legacyScpRequest, runLegacyScp, type ScpRequest } from './scp-legacy.ts';
import { serveSftp } from './sftp.ts';

// sshd_config's MaxSessions default.
const MAX_SESSIONS = 10;
// The signals sshd names in exit-signal (OpenSSH's sig2name(); others go out as SIG@openssh.com,
// which ssh2 cannot send, so the sim never ends a command with them).
const EXIT_SIGNALS = new Set([
  'ABRT',
  'ALRM',
  'FPE',
  'HUP',
  'ILL',
  'INT',
  'KILL',
  'PIPE',
  'QUIT',
  'SEGV',
  'TERM',
  'USR1',
  'USR2',
]);

type ExitWith = { exitCode: number } | { signal: string };

export class GuestSshServer {
  readonly #machine: Machine;
  readonly #ssh: ssh2.Server;
  #net: NetServer | undefined;
  readonly #sockets = new Set<Socket>();
  /** False while the guest boots or shuts down: connections are reset at once. */
  accepting = false;

  constructor(machine: Machine, hostKey: Buffer) {
    this.#machine = machine;
    this.#ssh = new ssh2.Server({ hostKeys: [hostKey], ident: 'OpenSSH_9.8' }, (client) =>
      this.#onClient(client),
    );
  }

  /** Starts listening; rejects with the listen error (EADDRINUSE) when the address is taken. */
  listen(host: string, port: number): Promise<void> {
    const server = createServer((socket) => {
      if (!this.accepting) {
        socket.destroy();
        return;
      }
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {});
      // sshd sets TCP_NODELAY for sessions; without it each small reply waits on delayed ACKs.
      socket.setNoDelay(true);
      coalesceWrites(socket);
      this.#ssh.injectSocket(socket);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', () => {});
        this.#net = server;
        resolve();
      });
    });
  }

  /** Drops every connection: `graceful` lets replies already written reach the client first. */
  dropConnections(graceful: boolean): void {
    for (const socket of this.#sockets) {
      if (graceful) {
        socket.end();
        setTimeout(() => socket.destroy(), 200).unref();
      } else socket.destroy();
    }
  }

  /** Stops listening (connections are dropped separately). Safe to repeat. */
  async close(): Promise<void> {
    const server = this.#net;
    this.#net = undefined;
    this.accepting = false;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #onClient(client: Connection): void {
    const machine = this.#machine;
    const user = machine.state.user;
    // ssh2 keeps the client's TCP socket in `_sock`; a reset (ssh-drop) must destroy that socket.
    const socket = (client as unknown as { _sock?: Socket })._sock;
    // sshd answers every refused channel open with the text "open failed" (serverloop.c); ssh2
    // sends an empty one, so its protocol writer is wrapped for this connection.
    const proto = (client as unknown as { _protocol?: OpenFailWriter })._protocol;
    if (proto && typeof proto.channelOpenFail === 'function') {
      const openFail = proto.channelOpenFail.bind(proto);
      proto.channelOpenFail = (recipient, reason, description) =>
        openFail(recipient, reason, description || 'open failed');
    }
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      const methods: ssh2.AuthenticationType[] = ['publickey', 'password', 'keyboard-interactive'];
      if (ctx.username !== user.name) return ctx.reject(methods);
      if (ctx.method === 'password')
        return ctx.password === user.password ? ctx.accept() : ctx.reject(methods);
      if (ctx.method === 'publickey') {
        void publicKeyAccepted(machine.fs(machine.loginUser), ctx)
          .catch(() => false)
          .then((ok) => (ok ? ctx.accept() : ctx.reject(methods)));
        return;
      }
      if (ctx.method === 'keyboard-interactive') {
        // Reconstructed: macOS's sshd asks through PAM, whose one prompt is "Password:".
        ctx.prompt([{ prompt: 'Password:', echo: false }], (answers) =>
          answers[0] === user.password ? ctx.accept() : ctx.reject(methods),
        );
        return;
      }
      ctx.reject(methods);
    });
    client.on('ready', () => {
      let sessions = 0;
      client.on('session', (accept, reject) => {
        // session.c's session_new(): past MaxSessions the channel open fails (connect failed,
        // "open failed"), and the connection stays up. A session counts until its channel closes.
        if (sessions >= MAX_SESSIONS) return reject();
        sessions++;
        const session = accept();
        session.once('close', () => sessions--);
        let pty = false;
        session.on('env', (accept) => accept?.());
        session.on('pty', (accept) => {
          pty = true;
          accept?.();
        });
        session.on('window-change', (accept) => accept?.());
        session.on('shell', (accept) => this.#shell(accept(), pty));
        session.on('exec', (accept, _reject, info) => {
          const channel = accept();
          this.#exec(channel, info.command, () => socket?.destroy());
        });
        session.on('subsystem', (accept, reject, info) => {
          if (info.name !== 'sftp') return reject?.();
          const channel = accept();
          channel.on('error', () => {});
          // Only a run with the quirk on rolls (and writes state) per file opened.
          const faults = machine.settings.quirks['sshd-dies-mid-transfer']
            ? {
                rollDeath: () =>
                  machine
                    .mutate((state) => rollQuirk(machine, state, 'sshd-dies-mid-transfer'))
                    .catch(() => false),
                die: () => socket?.destroy(),
              }
            : undefined;
          void serveSftp(channel, machine.fs(machine.loginUser), faults)
            .catch(() => 255)
            .then((exitCode) => finishChannel(channel, { exitCode }));
        });
      });
    });
  }

  #shell(channel: ServerChannel, pty: boolean): void {
    const closed = new AbortController();
    channel.on('close', () => closed.abort(new Error('SSH channel closed')));
    channel.on('error', () => {});
    const signal = AbortSignal.any([closed.signal, this.#machine.bootSignal]);
    void runLoginShell(channel, this.#machine, { pty, signal })
      .catch((): ShellEnd => ({ exitCode: 1 }))
      .then((end) => {
        if (!closed.signal.aborted) finishChannel(channel, end);
      });
  }

  #exec(channel: ServerChannel, command: string, reset: () => void): void {
    const machine = this.#machine;
    const closed = new AbortController();
    const signal = AbortSignal.any([closed.signal, machine.bootSignal]);
    let open = true;
    channel.on('close', () => {
      open = false;
      closed.abort(new Error('SSH channel closed'));
    });
    channel.on('error', () => {});
    // stdin is collected from the start; a command that reads it waits for EOF (or the close).
    const chunks: Buffer[] = [];
    let ended = false;
    const waiters: (() => void)[] = [];
    const finish = () => {
      ended = true;
      for (const w of waiters.splice(0)) w();
    };
    // Legacy scp reads the channel itself, as a stream (scp-legacy.ts).
    const scp = legacyScp(command, loginEnv(machine.loginUser));
    if (!scp) channel.on('data', (data: Buffer) => chunks.push(data));
    channel.on('end', finish);
    signal.addEventListener('abort', finish, { once: true });
    const stdin = async () => {
      if (!ended) await new Promise<void>((resolve) => waiters.push(resolve));
      return Buffer.concat(chunks);
    };
    const write = (stream: 'out' | 'err', data: Buffer) => {
      if (!open || data.length === 0) return;
      try {
        if (stream === 'out') channel.write(data);
        else channel.stderr.write(data);
      } catch {
        // The client went away mid-command.
      }
    };
    const after: (() => void)[] = [];
    // ssh-drop: once the command has started, the connection is reset before its exit status is
    // sent; the reset closes the channel, which ends the command as sshd's SIGHUP would.
    let dropped = false;
    const rolled = machine.mutate((state) => rollQuirk(machine, state, 'ssh-drop')).catch(() => false);
    void rolled.then((drop) => {
      if (!drop) return;
      dropped = true;
      setImmediate(reset);
    });
    const run: Promise<ExitWith> = scp
      ? runLegacyScp(channel, machine.fs(machine.loginUser), scp).then((exitCode) => ({ exitCode }))
      : runLoginCommand(
          {
            machine,
            user: machine.loginUser,
            signal,
            io: { stdin, stdout: (d) => write('out', d), stderr: (d) => write('err', d) },
            afterReply: (task) => after.push(task),
          },
          command,
        );
    run
      .catch((error: unknown): ExitWith => {
        // A bug in a handler must not take the guest down; report it like a crashed tool.
        write('err', Buffer.from(`zsh:1: internal error of the sim: ${String(error)}\n`));
        return { exitCode: 1 };
      })
      .then(async (result) => {
        await rolled;
        if (open && !dropped) finishChannel(channel, result);
        if (after.length)
          setImmediate(() =>
            after.forEach((task) => {
              task();
            }),
          );
      });
  }
}

interface OpenFailWriter {
  channelOpenFail(recipient: number, reason: number, description?: string): void;
}

/** The legacy scp server request when `command` is one (`scp -t PATH`, `scp -f PATH`). */
function legacyScp(command: string, env: Record<string, string>): ScpRequest | undefined {
  try {
    const script = parseScript(command);
    const only = script.length === 1 && script[0]!.rest.length === 0 ? script[0]!.first : undefined;
    if (only?.length !== 1 || only[0]!.redirections.length > 0) return undefined;
    return legacyScpRequest(only[0]!.words.map((word) => expandWord(word, env)));
  } catch {
    return undefined;
  }
}

/**
 * Ends a session channel as sshd does once its command has exited: exit-status (or exit-signal
 * when a signal killed it), then EOF, then close (ssh2 sends both when the channel is ended).
 */
function finishChannel(channel: ServerChannel, result: ExitWith): void {
  try {
    if ('signal' in result && EXIT_SIGNALS.has(result.signal)) channel.exit(result.signal, false, '');
    else channel.exit('exitCode' in result ? result.exitCode : 255);
    channel.end();
  } catch {
    // Closed meanwhile.
  }
}

/**
 * The SSH packets written in one turn of the event loop (a command's output, exit-status, EOF and
 * close) leave in one writev instead of a syscall each: the same bytes in the same order, at a
 * fraction of the host's CPU (each loopback write also runs the receiving side's TCP stack and wakes
 * it). sshd's packet buffer does the same. The harness does it on its side (harness/ssh/coalesce-writes.ts).
 */
function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    if (!socket.writableCorked) {
      socket.cork();
      setImmediate(() => socket.uncork());
    }
    return write(...args);
  }) as Socket['write'];
}
