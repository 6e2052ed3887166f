// `tart run` boots the guest here: load the disk's state, listen for SSH on the VM's address, wait
// the modelled boot time, run the model's boot, then accept connections. Power-off and reboot,
// from inside (shutdown, halt, reboot) or outside (tart stop), all end in this file.
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { SimSettings } from '../quirks.ts';
import { Machine } from './machine.ts';
import { bootMachine } from './model/boot-sequence.ts';
import { awaitGuiSession } from './model/gui-session.ts';
import { enterSleep, leaveSleep, rollDarkWake, takeNextWake } from './model/power-events.ts';
import { rollQuirk } from './model/quirk-dice.ts';
import { readHostKey } from './ssh/host-key.ts';
import { GuestSshServer } from './ssh/server.ts';

/** How long macOS takes from power-on to sshd accepting (scaled by timeScale). */
export const BOOT_DELAY_MS = 20_000;
/** How long a shutdown takes from the command to the VM stopping (scaled by timeScale). */
export const SHUTDOWN_DELAY_MS = 3_000;
/** How long a resume from a suspended snapshot takes until sshd answers (scaled by timeScale). */
export const RESUME_DELAY_MS = 2_000;
/** From `pmset sleepnow` to the guest being asleep (scaled by timeScale). */
export const SLEEP_ENTER_DELAY_MS = 1_000;
/** The shortest real wait of a sleep, so that a wake never overtakes the sleep it ends. */
export const MIN_SLEEP_MS = 20;
/**
 * Quirk darkwake-only: how long a DarkWake lasts before the guest sleeps again (scaled), and its
 * real-time floor, so that SSH can still be reached at time scale 0. Reconstructed: "a few
 * seconds"; real `Maintenance Sleep` lines show tens of seconds awake.
 */
export const DARKWAKE_AWAKE_MS = 10_000;
export const MIN_DARKWAKE_AWAKE_MS = 250;
/** Between maintenance DarkWakes while asleep: about 15 minutes (forum 814079), scaled. */
export const MAINTENANCE_WAKE_INTERVAL_MS = 15 * 60_000;

export interface GuestBootOptions {
  /** TART_HOME/vms/<name>; the guest's persistent state lives in <vmDir>/guest/. */
  vmDir: string;
  vmName: string;
  /** Loopback IPv4 to listen on, e.g. 127.64.3.7. */
  host: string;
  /** SSH port to listen on. */
  port: number;
  settings: SimSettings;
  /** Called when the guest powers itself off (shutdown -h now / halt). */
  onPowerOff: () => void;
  /** Where the sim reports its own failures. @default console.error */
  report?: (line: string) => void;
  /**
   * Resume from a suspended snapshot (`tart run` after `tart suspend`): no boot sequence, state as
   * it was, the guest clock behind by the time the VM was suspended.
   * @default false
   */
  resume?: boolean;
  /** Called once a resumed snapshot is restored, before the guest answers (tart prints "resuming VM..."). */
  onRestored?: () => void;
}

export interface RunningGuest {
  /** Hard power-off (tart stop / SIGINT): drop every connection, stop listening. Safe to repeat. */
  powerOff(): Promise<void>;
  /** Host-side suspend (tart suspend): as powerOff, the state on disk is the snapshot to resume. */
  suspend(): Promise<void>;
}

/**
 * Resolves after the modelled boot delay (20 s x timeScale) once SSH listens on host:port.
 * Rejects with the listen error (code EADDRINUSE) when the address is taken, so tart can pick another.
 */
export async function bootGuest(opts: GuestBootOptions): Promise<RunningGuest> {
  const guestDir = join(opts.vmDir, 'guest');
  const machine = await Machine.open(guestDir, opts.vmName, opts.settings);
  if (opts.report) machine.report = opts.report;
  const server = new GuestSshServer(machine, await readHostKey(guestDir));
  // Bound at once so that a taken address fails fast; connections are reset until booted.
  await server.listen(opts.host, opts.port);
  const off = new AbortController();
  let stopped: Promise<void> | undefined;

  let asleep = false;
  // Host ms when the guest last woke or booted: the Sleep event's duration counts from there.
  let awakeSince = Date.now();

  const boot = async () => {
    if (opts.resume) {
      await delay(machine.scaledMs(RESUME_DELAY_MS), undefined, { signal: off.signal });
      // A restored snapshot keeps its clock: it lags by as long as the VM was suspended.
      await machine.mutate((state) => {
        if (state.haltedAtHostMs !== undefined) {
          state.clockOffsetMs = (state.clockOffsetMs ?? 0) - Math.max(0, Date.now() - state.haltedAtHostMs);
        }
      });
      // A snapshot taken before the auto-login finished resumes still waiting for it.
      awaitGuiSession(machine);
      opts.onRestored?.();
    } else {
      await delay(machine.scaledMs(BOOT_DELAY_MS), undefined, { signal: off.signal });
      await bootMachine(machine);
    }
    awakeSince = machine.now().getTime();
    server.accepting = true;
  };

  const halt = async (graceful: boolean) => {
    server.accepting = false;
    server.dropConnections(graceful);
    machine.endBoot();
    await server.close();
    await machine.idle();
    await machine.mutate((state) => {
      state.haltedAtHostMs = Date.now();
    });
  };

  const goDown = async () => {
    server.accepting = false;
    server.dropConnections(false);
    await server.close();
  };
  const comeUp = async () => {
    awakeSince = machine.now().getTime();
    await server.listen(opts.host, opts.port);
    server.accepting = true;
  };

  const sleep = async (pid: number) => {
    const signal = machine.bootSignal;
    // no-sleep: a VZ guest that prints "Sleeping now..." and carries on.
    if (await machine.mutate((state) => rollQuirk(machine, state, 'no-sleep'))) return;
    await delay(machine.scaledMs(SLEEP_ENTER_DELAY_MS), undefined, { signal });
    await goDown();
    let sleptAt = machine.now().getTime();
    await enterSleep(machine, `Software Sleep pid=${pid}`, awakeSince);
    const wake = await takeNextWake(machine);
    // Nothing scheduled: asleep until the host powers the VM off.
    if (!wake) return;
    const waitMs = Math.max(MIN_SLEEP_MS, machine.scaledMs(wake.at - machine.now().getTime()));
    await delay(waitMs, undefined, { signal });
    const dark = await rollDarkWake(machine);
    await leaveSleep(machine, sleptAt, dark);
    await comeUp();
    // darkwake-only: the network is up (N) but not the display; the guest sleeps again soon and
    // wakes dark for maintenance now and then, until the VM stops. Reconstructed, the harder case:
    // neither `caffeinate -u` nor other assertions promote it or keep it awake (the references
    // only infer that a user-activity assertion would).
    while (dark) {
      await delay(Math.max(MIN_DARKWAKE_AWAKE_MS, machine.scaledMs(DARKWAKE_AWAKE_MS)), undefined, {
        signal,
      });
      await goDown();
      sleptAt = machine.now().getTime();
      await enterSleep(machine, 'Maintenance Sleep', awakeSince);
      await delay(Math.max(MIN_SLEEP_MS, machine.scaledMs(MAINTENANCE_WAKE_INTERVAL_MS)), undefined, {
        signal,
      });
      await leaveSleep(machine, sleptAt, true);
      await comeUp();
    }
  };

  const powerOff = (): Promise<void> => {
    if (!stopped) {
      off.abort(new Error(`Guest ${opts.vmName} was powered off`));
      stopped = halt(false);
    }
    return stopped;
  };

  machine.power = {
    sleep(pid) {
      if (stopped || asleep) return;
      asleep = true;
      sleep(pid)
        .catch((error: unknown) => {
          if (machine.bootSignal.aborted || off.signal.aborted) return;
          machine.reportFailure('sleep/wake', error);
        })
        .finally(() => {
          asleep = false;
        });
    },
    powerOff() {
      if (stopped) return;
      stopped = (async () => {
        await halt(true);
        await delay(machine.scaledMs(SHUTDOWN_DELAY_MS), undefined, { signal: off.signal }).catch(() => {});
        off.abort(new Error(`Guest ${opts.vmName} shut down`));
        opts.onPowerOff();
      })();
    },
    reboot() {
      if (stopped) return;
      (async () => {
        await halt(true);
        await delay(machine.scaledMs(BOOT_DELAY_MS), undefined, { signal: off.signal });
        await bootMachine(machine);
        await server.listen(opts.host, opts.port);
        awakeSince = machine.now().getTime();
        server.accepting = true;
      })().catch((error: unknown) => {
        if (off.signal.aborted) return;
        // The address was taken while we rebooted: the VM cannot come back, so it stops.
        machine.reportFailure('reboot', error);
        void powerOff().then(() => opts.onPowerOff());
      });
    },
  };

  try {
    await boot();
  } catch (error) {
    await powerOff();
    throw error;
  }
  return { powerOff, suspend: powerOff };
}
