// The race helper: the first contestant to settle decides, and the others are cancelled at once.
import test from 'ava';
import { delay, RaceLostError, race } from '../../harness/abort.ts';

test('the first to settle wins and the losers are aborted with RaceLostError', async (t) => {
  let loserReason: unknown;
  const value = await race<string>([
    async (signal) => {
      signal.addEventListener('abort', () => {
        loserReason = signal.reason;
      });
      await delay(60_000, signal);
      return 'slow';
    },
    async () => 'fast',
  ]);
  t.is(value, 'fast');
  t.true(loserReason instanceof RaceLostError);
});

test('a failure that comes first is the result; late failures of losers are swallowed', async (t) => {
  const error = await t.throwsAsync(
    race<void>([
      async () => {
        throw new Error('first');
      },
      async (signal) => {
        await delay(10, signal).catch(() => {});
        throw new Error('late');
      },
    ]),
  );
  t.is(error?.message, 'first');
  await delay(30);
});

test('the caller signal aborts every contestant', async (t) => {
  const controller = new AbortController();
  const running = race<void>(
    [(signal) => delay(60_000, signal), (signal) => delay(60_000, signal)],
    controller.signal,
  );
  controller.abort(new Error('Ctrl-C'));
  const error = await t.throwsAsync(running);
  t.is(error?.message, 'Ctrl-C');
});
