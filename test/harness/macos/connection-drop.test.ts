// waitForDrop after a busy event loop: a timer that expired while the process was busy runs before
// the socket events that queued meanwhile, so a drop that had happened must still count.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import test from 'ava';
import { waitForDrop } from '../../../harness/macos/connection-drop.ts';
import type { GuestSession } from '../../../harness/ssh/guest-session.ts';

/**
 * A loopback connection standing in for the guest's SSH connection. Its server is another process,
 * as the guest is: it closes the connection `closeAfterMs` after it is asked to (`drop()`), whatever
 * this process is doing then.
 */
async function connection(
  closeAfterMs: number,
): Promise<{ guest: GuestSession; drop: () => void; close: () => void }> {
  const server = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:net').createServer((c) => c.once('data', () => setTimeout(() => c.destroy(), ${closeAfterMs})));
       s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) =>
    server.stdout.once('data', (d) => resolve(Number(String(d)))),
  );
  const client = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', resolve));
  const guest = {
    get isConnected() {
      return !client.destroyed;
    },
    onClose(listener: () => void) {
      client.on('close', listener);
      return () => client.off('close', listener);
    },
  };
  return {
    guest: guest as unknown as GuestSession,
    drop: () => client.write('x'),
    close: () => {
      client.destroy();
      server.kill();
    },
  };
}

const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test('the guest drops while the process is busy past the timeout: still a drop', async (t) => {
  const { guest, drop, close } = await connection(40);
  t.teardown(close);
  const waiting = waitForDrop(guest, { timeoutMs: 100 });
  drop();
  // Busy at the end of a turn of the event loop while the guest's FIN arrives and the timeout
  // passes: the next turn starts with the expired timer, before the socket is read.
  setImmediate(() => busyFor(600));
  t.true(await waiting);
});

test('no drop within the timeout (and its grace) is false', async (t) => {
  const { guest, close } = await connection(0);
  t.teardown(close);
  t.false(await waitForDrop(guest, { timeoutMs: 30 }));
});

test('a drop before the timeout is true at once', async (t) => {
  const { guest, drop, close } = await connection(5);
  t.teardown(close);
  const started = performance.now();
  drop();
  t.true(await waitForDrop(guest, { timeoutMs: 60_000 }));
  t.true(performance.now() - started < 30_000);
});
