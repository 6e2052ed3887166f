// Sleep and wake a guest, by one of two strategies chosen per run (--sleep-strategy):
// - `guest`: `pmset relative wake N` + `pmset sleepnow` inside the guest, reconnect SSH after the
//   wake, and verify with `pmset -g log`. Only this one makes macOS call the providers' sleep()/wake().
// - `suspend`: `tart suspend` on the host and `tart run` again (the VM was started --suspendable),
//   then set the guest's clock, which is behind by the suspended time (tart-cli.md §4). The guest
//   does not notice: no sleep()/wake() calls, connections just stall.
// Whether a VZ macOS guest really sleeps is unverified, so "no sleep happened" is an
// infrastructure error (NoSleepError), never the bug.
import { delay } from '../abort.ts';
import type { StartOptions, VmBackend } from '../backends/vm-backend.ts';
import { checkSleptAndWoke, type SleepWakeEvidence } from '../checks/slept-and-woke.ts';
import { CheckFailedError, NoSleepError } from '../errors.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import { readGuestTime, setGuestClock } from './guest-clock.ts';
import { scheduleRelativeWake } from './pmset.ts';

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
}

export const sleepWakeDefaults = {
  wakeAfterSeconds: 30,
  sleepTimeoutMs: 30_000,
  reconnectTimeoutMs: 180_000,
  suspendedMs: 5_000,
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
}

export async function sleepAndWake(
  context: SleepWakeContext,
  options: SleepWakeOptions,
): Promise<SleepWakeResult> {
  return options.strategy === 'suspend' ? suspendAndResume(context, options) : guestSleep(context, options);
}

async function guestSleep(context: SleepWakeContext, options: SleepWakeOptions): Promise<SleepWakeResult> {
  const { guest, signal } = context;
  const wakeAfterSeconds = options.wakeAfterSeconds ?? sleepWakeDefaults.wakeAfterSeconds;
  const since = (await readGuestTime(guest, { signal })).at;
  await scheduleRelativeWake(guest, wakeAfterSeconds, { signal });
  const dropped = new Promise<boolean>((resolve) => {
    if (!guest.isConnected) resolve(true);
    const stop = guest.onClose(() => {
      stop();
      resolve(true);
    });
  });
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
  const timeout = delay(options.sleepTimeoutMs ?? sleepWakeDefaults.sleepTimeoutMs, signal).then(() => false);
  const didDrop = await Promise.race([dropped, timeout]);
  if (didDrop) {
    context.note?.('the SSH connection dropped: the guest is asleep; reconnecting after its wake');
    await guest.reconnect({
      signal,
      timeoutMs: options.reconnectTimeoutMs ?? sleepWakeDefaults.reconnectTimeoutMs,
    });
  }
  try {
    const evidence = await checkSleptAndWoke(guest, { since, signal });
    return { strategy: 'guest', since, evidence };
  } catch (error) {
    if (!(error instanceof CheckFailedError)) throw error;
    throw new NoSleepError(
      context.vm,
      `${didDrop ? 'SSH dropped and came back' : `SSH stayed up for ${options.sleepTimeoutMs ?? sleepWakeDefaults.sleepTimeoutMs} ms after \`pmset sleepnow\``}; ${error.message}`,
      error.evidence,
    );
  }
}

async function suspendAndResume(
  context: SleepWakeContext,
  options: SleepWakeOptions,
): Promise<SleepWakeResult> {
  const { guest, backend, vm, signal } = context;
  const since = (await readGuestTime(guest, { signal })).at;
  await backend.suspend(vm, { signal });
  await delay(options.suspendedMs ?? sleepWakeDefaults.suspendedMs, signal);
  await backend.resume(vm, context.startOptions);
  await guest.reconnect({
    signal,
    timeoutMs: options.reconnectTimeoutMs ?? sleepWakeDefaults.reconnectTimeoutMs,
  });
  const before = (await readGuestTime(guest, { signal })).at;
  const now = new Date();
  await setGuestClock(guest, now, { signal });
  context.note?.(
    `resumed ${vm}; guest clock was ${Math.round((now.getTime() - before.getTime()) / 1000)} s behind, set to ${now.toISOString()}`,
  );
  return { strategy: 'suspend', since };
}
