// Launching an app: a simulated app process that, like a real NE host app, sends an
// OSSystemExtensionRequest for every extension it embeds shortly after launch.
import { posix } from 'node:path';
import { ROOT_USER } from '../guest-fs.ts';
import type { Machine } from '../machine.ts';
import { readBundleInfo } from './bundle-info.ts';
import { type RequestingApp, requestActivation } from './sysextd.ts';
import { saveProxyConfiguration } from './transparent-proxy.ts';

/** How long the app takes from launch to its activation requests (scaled by timeScale). */
export const APP_REQUEST_DELAY_MS = 1500;

export async function launchApp(machine: Machine, appPath: string): Promise<RequestingApp> {
  const fs = machine.fs(ROOT_USER, '/');
  const info = await readBundleInfo(fs, appPath).catch(() => undefined);
  const pid = await machine.mutate(() => machine.allocPid());
  const app: RequestingApp = {
    path: appPath,
    process: info ? posix.basename(info.executable) : posix.basename(appPath, '.app'),
    pid,
    executable: info?.executable ?? posix.join(appPath, 'Contents/MacOS', posix.basename(appPath, '.app')),
    bundleId: info?.bundleId ?? '',
  };
  await machine.emit({
    process: 'launchd',
    pid: 1,
    subsystem: 'com.apple.xpc.launchd',
    category: 'default',
    messageType: 'Default',
    eventMessage: `[application.${app.bundleId}]: spawned ${app.executable} pid ${pid}`,
    processImagePath: '/sbin/launchd',
  });
  const dir = posix.join(appPath, 'Contents/Library/SystemExtensions');
  const bundles = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) =>
    n.endsWith('.systemextension'),
  );
  // An app whose proxy extension is already enabled saves its NETransparentProxyManager configuration.
  if (app.bundleId) await saveProxyConfiguration(machine, app.bundleId, appPath);
  if (bundles.length > 0) {
    machine.later(APP_REQUEST_DELAY_MS, async () => {
      for (const bundle of bundles) await requestActivation(machine, app, posix.join(dir, bundle));
      if (app.bundleId) await saveProxyConfiguration(machine, app.bundleId, appPath);
    });
  }
  return app;
}
