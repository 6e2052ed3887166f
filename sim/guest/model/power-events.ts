// The power manager's side of sleep and wake: the `pmset -g log` events, the scheduled wakes and
// what running proxy, filter and DNS-proxy providers see (sleep()/wake()). boot.ts moves the machine.
import type { Machine } from '../machine.ts';
import type { GuestState, ScheduledWake } from '../state.ts';
import { filtersSleep, filtersWake } from './filter-providers.ts';
import { rollQuirk } from './quirk-dice.ts';
import { providerLine, runningProviders } from './transparent-proxy.ts';

/** Keeps the log bounded like powerd's ring: the oldest events go first. */
const PMSET_LOG_LIMIT = 2000;

export function appendPmsetLog(
  state: GuestState,
  time: Date,
  domain: string,
  message: string,
  durationSecs?: number,
): void {
  state.pmsetLog ??= [];
  const log = state.pmsetLog;
  log.push(
    durationSecs === undefined
      ? { time: time.getTime(), domain, message }
      : { time: time.getTime(), domain, message, durationSecs },
  );
  if (log.length > PMSET_LOG_LIMIT) log.splice(0, log.length - PMSET_LOG_LIMIT);
}

/** Schedules a wake (guest epoch ms); call inside mutate. */
export function scheduleWake(state: GuestState, wake: ScheduledWake): void {
  state.scheduledWakes ??= [];
  const wakes = state.scheduledWakes;
  wakes.push(wake);
  wakes.sort((a, b) => a.at - b.at);
}

/** Wakes still in the future of the guest clock. */
export function pendingWakes(machine: Machine): ScheduledWake[] {
  const now = machine.now().getTime();
  return (machine.state.scheduledWakes ?? []).filter((w) => w.at > now);
}

/**
 * The guest goes to sleep: the pmset Sleep event and the providers' sleep(). `reason` as powerd
 * words it: `Software Sleep pid=N` for `pmset sleepnow`, `Maintenance Sleep` after a DarkWake.
 */
export async function enterSleep(machine: Machine, reason: string, awakeSinceMs: number): Promise<void> {
  await machine.mutate(async (state) => {
    const now = machine.now();
    const awake = Math.max(0, Math.round((now.getTime() - awakeSinceMs) / 1000));
    appendPmsetLog(
      state,
      now,
      'Sleep',
      `Entering Sleep state due to '${reason}': Using AC (Charge:100%)`,
      awake,
    );
    for (const provider of runningProviders(state)) {
      await machine.emit(providerLine(provider, 'sleep(completionHandler:)'));
    }
    await filtersSleep(machine, state);
  });
}

/**
 * Takes the next wake off the list (the RTC alarm that will fire) once the guest is asleep, or
 * undefined when nothing will wake it. A `pmset relative wake N` counts from now, the end of the
 * sleep, and is used up by it (the kernel clears it on the next wake).
 */
export async function takeNextWake(machine: Machine): Promise<ScheduledWake | undefined> {
  return machine.mutate((state) => {
    const now = machine.now().getTime();
    const wakes = (state.scheduledWakes ?? []).filter((w) => w.at > now - 1000);
    if (state.relativeWakeSeconds !== undefined) {
      wakes.push({ at: now + state.relativeWakeSeconds * 1000, owner: 'pmset relative' });
      wakes.sort((a, b) => a.at - b.at);
      delete state.relativeWakeSeconds;
    }
    const next = wakes.shift();
    state.scheduledWakes = wakes;
    return next;
  });
}

/** Whether the scheduled wake that fires now is only a DarkWake (quirk darkwake-only). */
export function rollDarkWake(machine: Machine): Promise<boolean> {
  return machine.mutate((state) => rollQuirk(machine, state, 'darkwake-only'));
}

/**
 * The guest wakes from the RTC alarm: the pmset Wake event (a full wake, or with `dark` a DarkWake
 * without display, macos-outputs §3.1 Apple-silicon wording), providers' wake() (they get it for
 * DarkWakes too, forum 814079), the flow quirk.
 */
export async function leaveSleep(machine: Machine, sleptAtMs: number, dark = false): Promise<void> {
  await machine.mutate(async (state) => {
    const now = machine.now();
    const asleep = Math.max(0, Math.round((now.getTime() - sleptAtMs) / 1000));
    appendPmsetLog(
      state,
      now,
      dark ? 'DarkWake' : 'Wake',
      dark
        ? 'DarkWake from Deep Idle [CDNP] : due to RTC/Maintenance Using AC (Charge:100%)'
        : 'Wake from Deep Idle [CDNVA] : due to RTC/Maintenance Using AC (Charge:100%)',
      asleep,
    );
    for (const provider of runningProviders(state)) {
      await machine.emit(providerLine(provider, 'wake()'));
      // flows-stop-after-wake is rolled per wake of a connected proxy (forum report 2).
      if (rollQuirk(machine, state, 'flows-stop-after-wake')) provider.config.flowsStopped = true;
    }
    await filtersWake(machine, state);
  });
}
