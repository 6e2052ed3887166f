// retryUntil's bound holds even for an attempt that never settles (a connection that hangs without
// an error): the wait ends after its deadline and a grace as a WaitTimeoutError, and at once on abort.
import test from 'ava';
import { WaitTimeoutError } from '../../harness/errors.ts';
import { retryUntil } from '../../harness/retry.ts';

const never = () => new Promise<never>(() => {});

test('an attempt that never settles ends after the deadline and its grace as a WaitTimeoutError', async (t) => {
  const error = await t.throwsAsync(
    retryUntil(never, { what: 'SSH on 10.0.0.1:22', vm: 'vm', timeoutMs: 200, attemptGraceMs: 300 }),
  );
  t.true(error instanceof WaitTimeoutError, String(error));
  t.regex(error?.message ?? '', /SSH on 10\.0\.0\.1:22.*did not end within 0.3 s after the deadline/);
});

test('an attempt under way at the deadline still gives the answer: its own error, not a timeout of ours', async (t) => {
  const error = await t.throwsAsync(
    retryUntil(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        throw new Error('endpoint missing');
      },
      { what: 'the endpoint', vm: 'vm', timeoutMs: 100 },
    ),
  );
  t.regex(error?.message ?? '', /endpoint missing/);
});

test('an attempt that never settles ends at once when the wait is aborted, with the reason', async (t) => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('interrupted')), 50);
  await t.throwsAsync(
    retryUntil(never, { what: 'x', vm: 'vm', timeoutMs: 60_000, signal: controller.signal }),
    {
      message: 'interrupted',
    },
  );
});

test('attempts that fail are retried until one answers', async (t) => {
  let attempts = 0;
  const value = await retryUntil(
    async () => {
      attempts += 1;
      if (attempts < 3) throw new Error('not yet');
      return 'up';
    },
    { what: 'x', vm: 'vm', timeoutMs: 5_000, intervalMs: 1 },
  );
  t.is(value, 'up');
  t.is(attempts, 3);
});

test('a wait longer than a Node timer can hold is not cut short by its own bound', async (t) => {
  let attempts = 0;
  const answer = await retryUntil(
    async (_n, signal) => {
      attempts += 1;
      // Slow enough that a bound fired at once (Node's overflow of a delay over 2^31-1 ms) aborts it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (signal.aborted) throw signal.reason;
      return 'answered';
    },
    { what: 'a long wait', vm: 'vm', timeoutMs: 3 * 2 ** 31, intervalMs: 10 },
  );
  t.is(answer, 'answered');
  t.is(attempts, 1);
});
