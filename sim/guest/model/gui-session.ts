// The auto-login GUI session. On a real Mac sshd answers before loginwindow has logged the
// auto-login user in (real-mac-review.md item 14): until then /dev/console belongs to root,
// `launchctl print gui/501` fails, and LaunchServices (`open`) and Apple events (`osascript`)
// fail with -10810. The session arrives a few seconds after SSH, on every boot.
import type { Machine } from '../machine.ts';
import type { GuestState } from '../state.ts';

/**
 * From the end of the boot (sshd accepting) to the GUI session (scaled by timeScale).
 * Reconstructed: no source gives the auto-login delay of a VZ guest; a few seconds is what
 * "SSH answers before auto-login has finished" implies.
 */
export const GUI_SESSION_DELAY_MS = 5_000;

/** LaunchServices' and the Apple Event Manager's error while no GUI session exists. */
export const NO_SESSION_ERROR = -10810;

/** Whether the console user is logged in; state files from before the model count as logged in. */
export function hasGuiSession(state: GuestState): boolean {
  return state.guiSession !== false;
}

/** At boot: no GUI session yet, no app running; the session arrives later in this boot. */
export function startGuiSession(machine: Machine, state: GuestState): void {
  state.guiSession = false;
  state.apps = [];
  awaitGuiSession(machine);
}

/**
 * Schedules the login of the console user if it is still pending (also after a resumed snapshot
 * that was taken before it). The timer dies with the boot.
 */
export function awaitGuiSession(machine: Machine): void {
  if (hasGuiSession(machine.state)) return;
  machine.later(GUI_SESSION_DELAY_MS, async () => {
    await machine.mutate((state) => {
      state.guiSession = true;
    });
  });
}

/** The console's owner as `stat -f%Su /dev/console` prints it. */
export function consoleUser(machine: Machine): string {
  return hasGuiSession(machine.state) ? machine.state.user.name : 'root';
}
