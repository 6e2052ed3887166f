// The "would like to add ... configurations" alert (approval-and-power-facts.md §3): the first time
// an app saves its NETransparentProxyManager configuration macOS asks the user, and the save is
// refused (NEConfigurationErrorDomain Code=10 "permission denied") until Allow is clicked.
// [FIRST-HAND] the title `"<App>" Would Like to Add Proxy Configurations` and the button Allow;
// a content filter's asks to "filter network content" (the title's casing is Reconstructed).
// [INFERRED] the other button "Don't Allow" and the host process UserNotificationCenter (what a
// public auto-clicker expects). Reconstructed: the body text, the delay before it shows, one alert
// per app at a time, and that consent is remembered as the saved configuration itself (a later save
// of the same app is "unchanged"); a reboot before the answer loses the alert and the save.
import type { Machine } from '../machine.ts';
import { type ConsentAlert, element, guiState, type UiProcess } from './system-settings-elements.ts';

/** Reconstructed: from the app's save to the alert on screen. */
export const ALERT_DELAY_MS = 600;

/** The app's save needs the user's consent: shows the alert (once per app); `allow` runs on Allow. */
export function askConsent(
  machine: Machine,
  alert: Omit<ConsentAlert, 'shown'>,
  allow: () => Promise<void>,
): void {
  const gui = guiState(machine);
  if (gui.alerts.some((a) => a.appBundleId === alert.appBundleId)) return;
  const pending: ConsentAlert = { ...alert, shown: false };
  gui.alerts.push(pending);
  allowers.set(pending, allow);
  machine.later(ALERT_DELAY_MS, async () => {
    pending.shown = true;
  });
}

const allowers = new WeakMap<ConsentAlert, () => Promise<void>>();

function answer(machine: Machine, alert: ConsentAlert, allowed: boolean): () => Promise<void> {
  return async () => {
    const gui = guiState(machine);
    if (!gui.alerts.includes(alert)) return;
    gui.alerts = gui.alerts.filter((a) => a !== alert);
    if (allowed) await allowers.get(alert)?.();
    // [FIRST-HAND, partly] the refused save's error, in nehelper's log (§3).
    else
      await machine.emit({
        process: 'nehelper',
        pid: 331,
        subsystem: 'com.apple.networkextension',
        category: '',
        messageType: 'Error',
        eventMessage: `Failed to save configuration for ${alert.appBundleId}: Error Domain=NEConfigurationErrorDomain Code=10 "permission denied"`,
        processImagePath: '/usr/libexec/nehelper',
      });
  };
}

/** UserNotificationCenter with the alerts on screen (it runs all the time; no alert, no window). */
export function alertProcesses(machine: Machine): UiProcess[] {
  const windows = guiState(machine)
    .alerts.filter((a) => a.shown)
    .map((alert) =>
      element('window', {}, [
        element('static text', {
          value:
            alert.kind === 'filter'
              ? `"${alert.appName}" Would Like to Filter Network Content`
              : `"${alert.appName}" Would Like to Add Proxy Configurations`,
        }),
        element('static text', {
          value: 'All network activity on this Mac may be filtered or monitored.',
        }),
        element('button', { name: "Don't Allow", press: answer(machine, alert, false) }),
        element('button', { name: 'Allow', press: answer(machine, alert, true) }),
      ]),
    );
  return [{ name: 'UserNotificationCenter', bundleId: 'com.apple.UserNotificationCenter', windows }];
}
