// The pool's scheduling and the ordered output, without VMs: launches bounded by --parallel, a
// refused launch back at the front once, the first crash stops launching; events held until every
// earlier iteration has finished, then out in iteration order.
import test from 'ava';
import { ConfigError } from '../../../harness/errors.ts';
import type { RunEvent } from '../../../harness/scenario/events.ts';
import { runIterationPool } from '../../../harness/scenario/iteration-pool.ts';
import { OrderedEvents } from '../../../harness/scenario/ordered-events.ts';
import { ownsIteration, parseShard } from '../../../harness/scenario/shard.ts';

/** A promise with its resolve, to finish launches in an order the test picks. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('never more than `parallel` in flight; a refused launch runs again once, first in the queue', async (t) => {
  const gates = new Map<string, ReturnType<typeof gate>>();
  const launches: string[] = [];
  let inFlight = 0;
  let most = 0;
  const queue = [1, 2, 3, 4];
  const done = runIterationPool({
    parallel: 2,
    next: () => queue.shift(),
    run: async ({ iteration, attempt }) => {
      const key = `${iteration}.${attempt}`;
      launches.push(key);
      inFlight += 1;
      most = Math.max(most, inFlight);
      const g = gate();
      gates.set(key, g);
      await g.promise;
      inFlight -= 1;
      return iteration === 2 && attempt === 0 ? { done: false, requeue: 'VM limit' } : { done: true };
    },
  });
  await tick();
  t.deepEqual(launches, ['1.0', '2.0']);
  gates.get('2.0')!.open();
  await tick();
  // Refused while 1 runs: the host has one slot fewer, so 2 waits for 1 instead of running beside it.
  t.deepEqual(launches, ['1.0', '2.0']);
  gates.get('1.0')!.open();
  await tick();
  t.deepEqual(launches, ['1.0', '2.0', '2.1']);
  for (const key of ['2.1', '3.0', '4.0']) {
    gates.get(key)!.open();
    await tick();
  }
  await done;
  t.deepEqual(launches, ['1.0', '2.0', '2.1', '3.0', '4.0']);
  t.is(most, 2);
});

test('a launch that throws stops the launching; the others end and the error is rethrown', async (t) => {
  const launched: number[] = [];
  const settled: number[] = [];
  const queue = [1, 2, 3, 4];
  const error = await t.throwsAsync(
    runIterationPool({
      parallel: 2,
      next: () => queue.shift(),
      run: async ({ iteration }) => {
        launched.push(iteration);
        await tick();
        if (iteration === 1) throw new Error('mkdir failed');
        await tick();
        return { done: true };
      },
      settled: (iteration) => settled.push(iteration),
    }),
  );
  t.is(error?.message, 'mkdir failed');
  t.deepEqual(launched, [1, 2]);
  t.deepEqual(settled.sort(), [1, 2]);
});

test('events of later iterations are held until the earlier ones finished, then come out in order', (t) => {
  const out: string[] = [];
  const ordered = new OrderedEvents((event) =>
    out.push(event.type === 'notice' ? event.message : event.type),
  );
  const say = (iteration: number, message: string) =>
    ordered.emitterFor(iteration)({ type: 'notice', message });
  for (const n of [1, 2, 3]) ordered.expect(n);
  say(2, '2a');
  say(1, '1a');
  say(3, '3a');
  t.deepEqual(out, ['1a']);
  ordered.finish(3);
  ordered.finish(2);
  t.deepEqual(out, ['1a']);
  say(1, '1b');
  ordered.finish(1);
  t.deepEqual(out, ['1a', '1b', '2a', '3a']);
  // Nothing pending: run-level events pass straight through.
  ordered.emitterFor(9)({ type: 'notice', message: 'run' } as RunEvent);
  t.deepEqual(out.at(-1), 'run');
});

test('--shard K/N: shard K owns every Nth iteration from K; bad forms are usage errors', (t) => {
  const shard = parseShard('2/3');
  t.deepEqual(shard, { index: 2, count: 3 });
  t.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].filter((n) => ownsIteration(shard, n)),
    [2, 5],
  );
  for (const bad of ['0/2', '3/2', '1/0', '1', 'a/b', '1/2/3']) {
    const error = t.throws(() => parseShard(bad), { instanceOf: ConfigError });
    t.regex(error?.message ?? '', /--shard must be K\/N with 1 <= K <= N/);
  }
});
