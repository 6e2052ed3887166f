// The only module that imports ws: Orchard's `GET /v1/vms/{name}/port-forward` is a WebSocket whose
// binary messages carry a raw TCP stream to the VM's port, through its worker (orchard
// api_vms_portforward.go; its clients send binary frames and a User-Agent, which selects binary
// framing). Node 20 has no WebSocket client of its own, and a server is needed by the sim too.
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { combineSignals } from '../../abort.ts';
import { OrchardApiError } from '../../errors.ts';

export interface PortForwardOptions {
  /** `Authorization` header for the upgrade request. */
  authorization?: string;
  signal?: AbortSignal;
  /** How long the upgrade may take (the controller waits `wait` seconds for the VM first). @default 30000 */
  timeoutMs?: number;
}

/**
 * Opens the port-forward WebSocket at `url` and returns it as a byte stream (what ssh2 takes as
 * `sock`). A refused upgrade throws OrchardApiError with the controller's status and message.
 */
export async function openPortForward(url: string, options: PortForwardOptions = {}): Promise<Duplex> {
  // ws loads with the first port-forward: CLI commands that open none start faster.
  const { default: WebSocketClient, createWebSocketStream } = await import('ws');
  const signal = combineSignals({ signal: options.signal, timeoutMs: options.timeoutMs ?? 30_000 });
  const path = new URL(url).pathname;
  return new Promise((resolve, reject) => {
    const socket: WebSocket = new WebSocketClient(url, {
      headers: {
        'User-Agent': 'sysext-lab',
        ...(options.authorization ? { Authorization: options.authorization } : {}),
      },
    });
    const onAbort = () => {
      socket.terminate();
      reject(signal?.reason);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        socket.terminate();
        let message = body.trim();
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? message;
        } catch {}
        reject(new OrchardApiError('GET', path, response.statusCode ?? 0, message));
      });
    });
    socket.once('open', () => {
      signal?.removeEventListener('abort', onAbort);
      const stream = createWebSocketStream(socket);
      // ssh2 listens for the stream's errors once it has it; until then one must not crash the process.
      stream.on('error', () => {});
      // The stream only ends when the WebSocket closes (autoDestroy off), but ssh2 fails its open
      // channels on 'close' alone: a forward the worker dropped must close the stream as a TCP
      // socket's reset would.
      socket.once('close', () => setImmediate(() => stream.destroy()));
      resolve(stream);
    });
    socket.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
  });
}
