// The guest's sshd: an ssh2 Server fed from our own TCP listener (so the guest can refuse
// connections while it boots and drop them all at power-off), password auth for the image's user,
// exec channels through the shell interpreter and the sftp subsystem.
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2, { type Connection, type ServerChannel } from 'ssh2';
import type { Machine } from '../machine.ts';
import { rollQuirk } from '../model/quirk-dice.ts';
import { runCommandLine } from '../shell/interpreter.ts';
import { attachSftp } from './sftp.ts';

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
    const user = this.#machine.state.user;
    // ssh2 keeps the client's TCP socket in `_sock`; a reset (ssh-drop) must destroy that socket.
    const socket = (client as unknown as { _sock?: Socket })._sock;
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === user.name && ctx.password === user.password)
        ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('env', (accept) => accept?.());
        session.on('pty', (accept) => accept?.());
        session.on('shell', (_accept, reject) => reject?.());
        session.on('exec', (accept, _reject, info) => {
          const channel = accept();
          this.#exec(channel, info.command, () => socket?.destroy());
        });
        session.on('sftp', (accept) => {
          const sftp = accept();
          attachSftp(sftp, this.#machine.fs(this.#machine.loginUser));
        });
      });
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
    channel.on('data', (data: Buffer) => chunks.push(data));
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
    runCommandLine(
      {
        machine,
        user: machine.loginUser,
        signal,
        io: { stdin, stdout: (d) => write('out', d), stderr: (d) => write('err', d) },
        afterReply: (task) => after.push(task),
      },
      command,
    )
      .catch((error: unknown) => {
        // A bug in a handler must not take the guest down; report it like a crashed tool.
        write('err', Buffer.from(`zsh:1: internal error of the sim: ${String(error)}\n`));
        return 1;
      })
      .then(async (code) => {
        await rolled;
        if (open && !dropped) {
          try {
            channel.exit(code);
            channel.end();
          } catch {
            // Closed meanwhile.
          }
        }
        if (after.length)
          setImmediate(() =>
            after.forEach((task) => {
              task();
            }),
          );
      });
  }
}
