// Sleep and wake a guest, by one of two strategies chosen per run (--sleep-strategy), and prove
// that what the strategy promises happened, so that a check after it can count as the bug:
// - `guest`: `pmset relative wake N` + `pmset sleepnow` inside the guest, reconnect SSH after the
//   wake, and verify with `pmset -g log` that it slept and woke. Only this one makes macOS call the
//   providers' sleep()/wake(). The wake may be only a DarkWake that sleeps again a few seconds later
//   (real-mac-review.md item 4), so the harness declares user activity (`caffeinate -u -t 2`),
//   requires a full wake, holds the guest awake while the caller's check runs (`whileAwake`) and
//   reads `pmset -g log` again afterwards: a new sleep meanwhile is NoFullWakeError.
// - `suspend`: `tart suspend` on the host and `tart run` again (the VM was started --suspendable).
//   The backend proves the snapshot was saved and restored; the guest's unchanged kern.boottime
//   proves it was not booted afresh (SuspendFailedError otherwise). Then the guest's clock is set,
//   since it is behind by the suspended time (tart-cli.md §4). The guest does not notice: no
//   sleep()/wake() calls, connections just stall.
// Whether a VZ macOS guest really sleeps is unverified, so "no sleep happened" is an
// infrastructure error (NoSleepError), never the bug.
import { delay } from '../abort.ts';
import type { StartOptions, VmBackend } from '../backends/vm-backend.ts';
import {
  checkSleptAndWoke,
  findAwakeBreak,
  findPromotion,
  isFullWake,
  powerLines,
  type SleepWakeEvidence,
  sameEvent,
} from '../checks/slept-and-woke.ts';
import {
  CheckFailedError,
  CommandError,
  NoFullWakeError,
  NoSleepError,
  SuspendFailedError,
} from '../errors.ts';
import type { PmsetEvent } from '../parse/pmset-log.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import { waitForDrop } from './connection-drop.ts';
import { readGuestTime, setGuestClock } from './guest-clock.ts';
import { readPmsetLog, scheduleRelativeWake } from './pmset.ts';
import { reconnectWhileRunning } from './reconnect.ts';

export type SleepStrategy = 'guest' | 'suspend';

export interface SleepWakeOptions {
  strategy: SleepStrategy;
  /** `pmset relative wake N`. @default 30 */
  wakeAfterSeconds?: number;
  /** How long after `pmset sleepnow` the guest may take to drop the SSH connection. @default 30000 */
  sleepTimeoutMs?: number;
  /** How long the guest may take to answer SSH again after its wake or resume. @default 180000 */
  reconnectTimeoutMs?: number;
  /** How long the VM stays suspended with the `suspend` strategy. @default 5000 */
  suspendedMs?: number;
  /** Upper bound of the `caffeinate -dis -t N` held during `whileAwake` (it outlives a closed channel). @default 300 */
  awakeHoldSeconds?: number;
}

export const sleepWakeDefaults = {
  wakeAfterSeconds: 30,
  sleepTimeoutMs: 30_000,
  reconnectTimeoutMs: 180_000,
  suspendedMs: 5_000,
  awakeHoldSeconds: 300,
} as const;

export interface SleepWakeContext {
  guest: GuestSession;
  backend: VmBackend;
  vm: string;
  /** How the VM was started, to resume it the same way. */
  startOptions: StartOptions;
  signal?: AbortSignal;
  note?: (text: string) => void;
}

export interface SleepWakeResult {
  strategy: SleepStrategy;
  /** The guest's clock before sleeping: what checks look at "since". */
  since: Date;
  /** `guest` strategy: the pmset lines that prove it. */
  evidence?: SleepWakeEvidence;
  /**
   * Runs the check that follows the wake while the guest is held awake, then proves that it stayed
   * awake throughout (`guest`: no new sleep or DarkWake in `pmset -g log`); otherwise throws
   * NoFullWakeError, also over a failed check, whose verdict would not hold.
   */
  whileAwake<T>(check: () => Promise<T>): Promise<T>;
}

export async function sleepAndWake(
  context: SleepWakeContext,
  options: SleepWakeOptions,
): Promise<SleepWakeResult> {
  return options.strategy === 'suspend' ? suspendAndResume(context, options) : guestSleep(context, options);
}

async function guestSleep(context: SleepWakeContext, options: SleepWakeOptions): Promise<SleepWakeResult> {
  const { guest, vm, signal } = context;
  const wakeAfterSeconds = options.wakeAfterSeconds ?? sleepWakeDefaults.wakeAfterSeconds;
  const sleepTimeoutMs = options.sleepTimeoutMs ?? sleepWakeDefaults.sleepTimeoutMs;
  const since = (await readGuestTime(guest, { signal })).at;
  await scheduleRelativeWake(guest, wakeAfterSeconds, { signal });
  try {
    const result = await guest.exec(['sudo', '-n', 'pmset', 'sleepnow'], {
      signal,
      timeoutMs: 30_000,
      allowFailure: true,
    });
    context.note?.(`pmset sleepnow: exit ${result.exitCode} ${result.stdout.trim()}`);
  } catch (error) {
    // The guest may go to sleep before the command's exit status comes back.
    if (signal?.aborted) throw error;
  }
  const didDrop = await waitForDrop(guest, { timeoutMs: sleepTimeoutMs, signal });
  if (didDrop) {
    context.note?.('the SSH connection dropped: the guest is asleep; reconnecting after its wake');
    await reconnectWhileRunning(
      context,
      options.reconnectTimeoutMs ?? sleepWakeDefaults.reconnectTimeoutMs,
      (stopped) =>
        new NoSleepError(vm, `the VM process ended while the guest slept: ${stopped.description}`, {
          'tart-run.log': stopped.output,
        }),
    );
  }
  let evidence: SleepWakeEvidence;
  try {
    evidence = await checkSleptAndWoke(guest, { since, signal });
  } catch (error) {
    // Back for a moment and gone again before it could be asked: a DarkWake that ended.
    if (didDrop && error instanceof CommandError && !signal?.aborted)
      throw lostGuest(vm, '`pmset -g log` after the wake', error, []);
    // Up for the whole sleep timeout, then gone while it was asked: a sleep that came later than
    // the harness waited for (a loaded host). The cycle proves nothing either way.
    if (!didDrop && error instanceof CommandError && error.connectionLost && !signal?.aborted)
      throw new NoSleepError(
        vm,
        `not within ${sleepTimeoutMs} ms of \`pmset sleepnow\` (the sleep timeout): SSH dropped only later, while \`pmset -g log\` was read (${error.message})`,
      );
    if (!(error instanceof CheckFailedError)) throw error;
    throw new NoSleepError(
      vm,
      `${didDrop ? 'SSH dropped and came back' : `SSH stayed up for ${sleepTimeoutMs} ms after \`pmset sleepnow\``}; ${error.message}`,
      error.evidence,
    );
  }
  const wake = await requireFullWake(context, evidence);
  context.note?.(`slept ${evidence.sleep.timestamp}, woke ${wake.timestamp} (${wake.message})`);
  return {
    strategy: 'guest',
    since,
    evidence,
    whileAwake: (check) => holdAwake(context, wake, options, check),
  };
}

/** A guest command or log read that fails because the guest went away again proves no full wake. */
function lostGuest(vm: string, what: string, error: unknown, pmset: string[]): NoFullWakeError {
  return new NoFullWakeError(
    vm,
    `${what} failed, the guest went away again: ${(error as Error).message}`,
    pmset.length > 0 ? { 'pmset-power-lines.txt': `${pmset.join('\n')}\n` } : {},
  );
}

/**
 * Declares user activity (a DarkWake becomes a full wake, §8.1) and requires a full wake with no
 * sleep since. Returns the event that made the wake full (the wake itself or its promotion).
 */
async function requireFullWake(context: SleepWakeContext, evidence: SleepWakeEvidence): Promise<PmsetEvent> {
  const { guest, vm, signal } = context;
  const known = powerLines([evidence.sleep, evidence.wake]);
  try {
    await guest.exec(['caffeinate', '-u', '-t', '2'], { signal, timeoutMs: 30_000 });
  } catch (error) {
    if (signal?.aborted || !(error instanceof CommandError)) throw error;
    throw lostGuest(vm, '`caffeinate -u -t 2` after the wake', error, known);
  }
  let read: Awaited<ReturnType<typeof readPmsetLog>>;
  try {
    read = await readPmsetLog(guest, { signal });
  } catch (error) {
    if (signal?.aborted || !(error instanceof CommandError)) throw error;
    throw lostGuest(vm, '`pmset -g log` after `caffeinate -u`', error, known);
  }
  const events = read.log.events;
  const wake = sameEvent(events, evidence.wake) ?? evidence.wake;
  const lines = powerLines(events, sameEvent(events, evidence.sleep));
  const proof = { 'pmset-g-log.txt': read.raw, 'pmset-power-lines.txt': `${lines.join('\n')}\n` };
  const full = isFullWake(wake) ? wake : findPromotion(events, wake);
  if (!full) {
    throw new NoFullWakeError(
      vm,
      `the wake at ${wake.timestamp} was a DarkWake and \`caffeinate -u -t 2\` did not promote it to a full wake (no "DarkWake to FullWake" line); power lines since the sleep: ${lines.join(' | ')}`,
      proof,
    );
  }
  const left = findAwakeBreak(events, full);
  if (left) {
    throw new NoFullWakeError(
      vm,
      `the guest left its wake of ${full.timestamp} at ${left.timestamp} (${left.domain}: ${left.message}); power lines since the sleep: ${lines.join(' | ')}`,
      proof,
    );
  }
  return full;
}

/**
 * Runs `check` while `caffeinate -dis` holds the guest awake, then reads `pmset -g log` again: a
 * sleep or DarkWake after `wake` means the check ran against a guest that left its wake.
 */
async function holdAwake<T>(
  context: SleepWakeContext,
  wake: PmsetEvent,
  options: SleepWakeOptions,
  check: () => Promise<T>,
): Promise<T> {
  const { guest, vm, signal } = context;
  const holdSeconds = options.awakeHoldSeconds ?? sleepWakeDefaults.awakeHoldSeconds;
  const hold = new AbortController();
  // caffeinate has no way to notice a closed channel: -t bounds it in the guest, the abort here.
  const holding = guest
    .exec(['caffeinate', '-dis', '-t', String(holdSeconds)], {
      signal: signal ? AbortSignal.any([signal, hold.signal]) : hold.signal,
      timeoutMs: holdSeconds * 1000 + 30_000,
      allowFailure: true,
    })
    .catch(() => undefined);
  let value: T | undefined;
  let failure: unknown;
  let failed = false;
  try {
    value = await check();
  } catch (error) {
    failed = true;
    failure = error;
  } finally {
    hold.abort();
    await holding;
  }
  if (signal?.aborted) throw failed ? failure : signal.reason;
  const known = powerLines([wake]);
  let read: Awaited<ReturnType<typeof readPmsetLog>>;
  try {
    read = await readPmsetLog(guest, { signal });
  } catch (error) {
    if (signal?.aborted || !(error instanceof CommandError)) throw failed ? failure : error;
    // A failed check over a guest that cannot even be asked whether it slept proves nothing.
    if (failed && failure instanceof CheckFailedError)
      throw lostGuest(vm, '`pmset -g log` after the check', error, known);
    throw failed ? failure : error;
  }
  const events = read.log.events;
  const seen = sameEvent(events, wake);
  const left = seen ? findAwakeBreak(events, seen) : undefined;
  if (left || !seen) {
    const lines = powerLines(events, seen);
    throw new NoFullWakeError(
      vm,
      `${left ? `the guest left its wake of ${wake.timestamp} at ${left.timestamp} (${left.domain}: ${left.message})` : `the wake of ${wake.timestamp} is gone from \`pmset -g log\``} while the check after the wake ran${failed ? `, so its result does not count (${(failure as Error).message})` : ''}; power lines since the wake: ${lines.join(' | ')}`,
      { 'pmset-g-log.txt': read.raw },
    );
  }
  if (failed) throw failure;
  return value as T;
}

/** `sysctl -n kern.boottime`, e.g. `{ sec = 1767225600, usec = 0 } Thu Jan  1 00:00:00 2026`. */
async function readBootTime(guest: GuestSession, signal?: AbortSignal): Promise<string> {
  return (await guest.exec(['sysctl', '-n', 'kern.boottime'], { signal })).stdout.trim();
}

async function suspendAndResume(
  context: SleepWakeContext,
  options: SleepWakeOptions,
): Promise<SleepWakeResult> {
  const { guest, backend, vm, signal } = context;
  const since = (await readGuestTime(guest, { signal })).at;
  const bootedBefore = await readBootTime(guest, signal);
  await backend.suspend(vm, { signal });
  await delay(options.suspendedMs ?? sleepWakeDefaults.suspendedMs, signal);
  await backend.resume(vm, context.startOptions);
  await reconnectWhileRunning(
    context,
    options.reconnectTimeoutMs ?? sleepWakeDefaults.reconnectTimeoutMs,
    (stopped) =>
      new SuspendFailedError(
        vm,
        'resume',
        `the VM process ended before the guest answered: ${stopped.description}`,
        {
          'tart-run-resume.log': stopped.output,
        },
      ),
    // A `tart run` is a new start: the address is asked again, as a first boot asks it (a lease that
    // ran out while the VM was suspended, a range renumbered, gives the guest another one).
    { askAddress: true },
  );
  await backend.confirmResumed(vm, { signal });
  // Read before the clock is set: stepping the clock may move kern.boottime with it.
  const bootedAfter = await readBootTime(guest, signal);
  if (bootedAfter !== bootedBefore) {
    throw new SuspendFailedError(
      vm,
      'resume',
      `kern.boottime changed from "${bootedBefore}" to "${bootedAfter}": the guest booted afresh instead of resuming`,
      { 'kern-boottime.txt': `before suspend: ${bootedBefore}\nafter resume: ${bootedAfter}\n` },
    );
  }
  const before = (await readGuestTime(guest, { signal })).at;
  const now = new Date();
  const set = await setGuestClock(guest, now, { signal });
  context.note?.(
    `resumed ${vm} from its snapshot (kern.boottime unchanged: ${bootedAfter}); guest clock was ${Math.round((now.getTime() - before.getTime()) / 1000)} s behind, set to ${set.toISOString()}`,
  );
  // A resume is proven above and a frozen guest cannot sleep by itself: nothing to hold.
  return { strategy: 'suspend', since, whileAwake: (check) => check() };
}
