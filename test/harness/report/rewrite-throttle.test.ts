// A deferred rewrite that fails (a full disk) must not be the process's uncaught exception: the
// next write request throws it to the reporter's caller, which says it on the console once.
import test from 'ava';
import { RewriteThrottle } from '../../../harness/report/rewrite-throttle.ts';
import { retryUntil } from '../../../harness/retry.ts';

test('a deferred write that fails is thrown by the next request, not from its timer', async (t) => {
  let writes = 0;
  let full = true;
  const throttle = new RewriteThrottle(() => {
    writes += 1;
    if (full) throw new Error('ENOSPC: no space left on device, write');
  }, 20);
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  // ava's own handler would fail the test at once; ours records it, so the assertion says what.
  const previous = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
  t.teardown(() => {
    process.off('uncaughtException', onUncaught);
    for (const listener of previous) process.on('uncaughtException', listener);
  });
  t.throws(() => throttle.now(), { message: /ENOSPC/ });
  // Within the interval: deferred to a timer, whose write fails too.
  throttle.soon();
  await retryUntil(
    async () => {
      if (writes < 2) throw new Error(`${writes} writes`);
    },
    { what: 'the deferred write', vm: 'none', timeoutMs: 30_000, intervalMs: 5 },
  );
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(uncaught, []);
  t.throws(() => throttle.soon(), { message: /ENOSPC/ });
  // Room again: the next request writes and nothing is left over.
  full = false;
  throttle.now();
  t.is(writes, 4);
});
