// App processes in the GUI session, as LaunchServices runs them. A launched app, like a real NE
// host app, sends an OSSystemExtensionRequest for every extension it embeds shortly after launch.
// `open -a` of an app that is already running only activates that instance: no new process and no
// new request (real-mac-review.md item 6); `open -n` starts another instance.
import { posix } from 'node:path';
import { ROOT_USER } from '../guest-fs.ts';
import type { Machine } from '../machine.ts';
import type { GuestState, RunningApp } from '../state.ts';
import { readBundleInfo } from './bundle-info.ts';
import { saveAppConfigurations } from './network-configurations.ts';
import { type RequestingApp, requestActivation } from './sysextd.ts';

/** How long the app takes from launch to its activation requests (scaled by timeScale). */
export const APP_REQUEST_DELAY_MS = 1500;
/**
 * From a quit Apple event to the process being gone (scaled by timeScale). Reconstructed: an app
 * finishes its own termination after replying to the event; no source gives a figure.
 */
export const APP_QUIT_DELAY_MS = 300;

export function runningApps(state: GuestState): RunningApp[] {
  state.apps ??= [];
  return state.apps;
}

export function processName(app: Pick<RunningApp, 'executable'>): string {
  return posix.basename(app.executable);
}

function isRunning(state: GuestState, pid: number): boolean {
  return runningApps(state).some((a) => a.pid === pid);
}

export interface LaunchResult {
  app: RequestingApp;
  /** true when an instance was already running and was only brought forward. */
  activated: boolean;
}

export async function launchApp(
  machine: Machine,
  appPath: string,
  options: { newInstance?: boolean } = {},
): Promise<LaunchResult> {
  const fs = machine.fs(ROOT_USER, '/');
  const info = await readBundleInfo(fs, appPath).catch(() => undefined);
  const bundleId = info?.bundleId ?? '';
  const running = runningApps(machine.state).find((a) =>
    bundleId ? a.bundleId === bundleId : a.path === appPath,
  );
  if (running && !options.newInstance) {
    return {
      app: { ...running, process: processName(running) },
      activated: true,
    };
  }
  const app = await machine.mutate((state): RequestingApp => {
    const entry: RunningApp = {
      pid: machine.allocPid(),
      bundleId,
      path: appPath,
      executable: info?.executable ?? posix.join(appPath, 'Contents/MacOS', posix.basename(appPath, '.app')),
    };
    runningApps(state).push(entry);
    return { ...entry, process: processName(entry) };
  });
  await machine.emit({
    process: 'launchd',
    pid: 1,
    subsystem: 'com.apple.xpc.launchd',
    category: 'default',
    messageType: 'Default',
    eventMessage: `[application.${app.bundleId}]: spawned ${app.executable} pid ${app.pid}`,
    processImagePath: '/sbin/launchd',
  });
  const dir = posix.join(appPath, 'Contents/Library/SystemExtensions');
  const bundles = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) =>
    n.endsWith('.systemextension'),
  );
  // An app whose network extension is already enabled saves its proxy/filter configurations.
  if (app.bundleId) await saveAppConfigurations(machine, app.bundleId, appPath);
  if (bundles.length > 0) {
    machine.later(APP_REQUEST_DELAY_MS, async () => {
      // An app quit before it got that far sends nothing.
      if (!isRunning(machine.state, app.pid)) return;
      for (const bundle of bundles) await requestActivation(machine, app, posix.join(dir, bundle));
      if (app.bundleId) await saveAppConfigurations(machine, app.bundleId, appPath);
    });
  }
  return { app, activated: false };
}

/** Ends the app processes `which` selects, now; returns how many there were. */
export function endApps(machine: Machine, which: (app: RunningApp) => boolean): Promise<number> {
  return machine.mutate((state) => {
    const apps = runningApps(state);
    const ending = apps.filter(which);
    state.apps = apps.filter((a) => !which(a));
    return ending.length;
  });
}

/** A quit Apple event: the apps reply at once and are gone a moment later. */
export function quitAppsLater(machine: Machine, which: (app: RunningApp) => boolean): number {
  const count = runningApps(machine.state).filter(which).length;
  if (count > 0) {
    const pids = new Set(
      runningApps(machine.state)
        .filter(which)
        .map((a) => a.pid),
    );
    machine.later(APP_QUIT_DELAY_MS, async () => {
      await endApps(machine, (a) => pids.has(a.pid));
    });
  }
  return count;
}
