// Runs a run's iterations on up to N VMs at once (--parallel). It only schedules: what to launch
// next, and whether to launch at all, is the caller's; an iteration the host refused to start (the
// VM limit) goes back to the front of the queue once, and the pool then runs fewer at a time.

/** One launch of one iteration; `attempt` is 0, then 1 after a requeue. */
export interface PoolTask {
  iteration: number;
  attempt: number;
}

/** What a launch came to: done (its result is out), or refused by the host before it ran. */
export type PoolOutcome = { done: true } | { done: false; requeue: string };

export interface IterationPoolOptions {
  /** At most this many iterations at once. @default 1 */
  parallel?: number;
  /** The next iteration to launch, or undefined when none should start now (decided, aborted, all out). */
  next: () => number | undefined;
  /** Runs one launch to its end; never called with more than `parallel` in flight. */
  run: (task: PoolTask) => Promise<PoolOutcome>;
  /** Called once per iteration when it has ended for good (also when `run` threw). */
  settled?: (iteration: number) => void;
}

/**
 * Launches until `next` says none and every launch ended. The first error `run` throws stops the
 * launching; the launches in flight end on their own (the caller's signal) and the error is rethrown.
 */
export async function runIterationPool(options: IterationPoolOptions): Promise<void> {
  let limit = Math.max(1, options.parallel ?? 1);
  const requeued: PoolTask[] = [];
  let failure: { error: unknown } | undefined;

  const take = (): PoolTask | undefined => {
    const again = requeued.shift();
    if (again) return again;
    const iteration = options.next();
    return iteration === undefined ? undefined : { iteration, attempt: 0 };
  };

  let active = 0;
  // Resolved whenever a launch ends, so that the loop below can fill its slot.
  let wake: () => void = () => {};
  const launch = async (task: PoolTask): Promise<void> => {
    active += 1;
    try {
      const outcome = await options.run(task);
      if (!outcome.done && task.attempt === 0) {
        // The host has fewer slots than it seemed (another VM, a leaked slot): run one fewer.
        limit = Math.max(1, active - 1);
        requeued.push({ iteration: task.iteration, attempt: task.attempt + 1 });
        return;
      }
      options.settled?.(task.iteration);
    } catch (error) {
      failure ??= { error };
      options.settled?.(task.iteration);
    } finally {
      active -= 1;
      wake();
    }
  };

  for (;;) {
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    while (!failure && active < limit) {
      const task = take();
      if (!task) break;
      void launch(task);
    }
    if (active === 0) break;
    await woken;
  }
  if (failure) throw failure.error;
}
