// The WebSocket end of the simulated controller's port-forward: binary messages carry the bytes of
// a TCP connection that the VM's worker opened to the guest (orchard api_vms_portforward.go,
// proxy.Connections). Either side closing closes the other.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ noServer: true });

/** Completes the upgrade of `request` and joins the WebSocket to `target`. */
export function acceptPortForward(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: Socket,
): void {
  server.handleUpgrade(request, socket, head, (ws) => {
    target.on('data', (chunk: Buffer) => ws.send(chunk, { binary: true }));
    target.on('close', () => ws.close());
    target.on('error', () => ws.terminate());
    ws.on('message', (data: Buffer) => target.write(data));
    ws.on('close', () => target.destroy());
    ws.on('error', () => target.destroy());
  });
}
