// The SSH packets ssh2 writes in one turn of the event loop (a channel request and its EOF, a close
// and a window adjust) leave in one writev instead of a syscall each: the same bytes in the same
// order. On loopback (the sim, Orchard's port-forward) each write also pays the receiver's TCP stack.
import type { Writable } from 'node:stream';

/** Corks `stream` at its first write in a turn of the event loop and uncorks it at the end of the turn. */
export function coalesceWrites(stream: Writable): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((...args: unknown[]) => {
    if (!stream.writableCorked) {
      stream.cork();
      setImmediate(() => stream.uncork());
    }
    return write(...args);
  }) as Writable['write'];
}
