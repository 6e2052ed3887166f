// <vm>/control.sock: real `tart run` proxies this Unix socket to the guest agent over vsock, and
// `tart exec` talks to it instead of the guest network. The sim's guest agent is its SSH server,
// so the socket forwards every connection to the guest's SSH address as it is.
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { unlinkQuietly } from './run-lock.ts';

export const CONTROL_SOCKET_FILE = 'control.sock';

export function controlSocketPath(vmDir: string): string {
  return join(vmDir, CONTROL_SOCKET_FILE);
}

export class ControlSocket {
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly path: string,
  ) {}

  /** Listens on <vmDir>/control.sock and forwards to host:port; a stale socket file is replaced. */
  static async open(vmDir: string, host: string, port: number): Promise<ControlSocket> {
    const path = controlSocketPath(vmDir);
    // A killed run leaves its socket file behind (tart #1220); a new run owns the name.
    unlinkQuietly(path);
    const server = createServer();
    const control = new ControlSocket(server, path);
    server.on('connection', (client) => control.forward(client, host, port));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return control;
  }

  private forward(client: Socket, host: string, port: number): void {
    const upstream = netConnect({ host, port, noDelay: true });
    this.sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Stops listening, drops every forwarded connection and removes the socket file. Safe to repeat. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    unlinkQuietly(this.path);
  }
}
