// Launching a build's app so that it really asks sysextd for activation. LaunchServices only
// brings a running app forward on `open -a` (real-mac-review.md item 6), and NE apps keep running,
// so the app is quit by bundle ID first (`quit app id`, then `pkill -x` as a fallback). The launch
// counts only with a new pid and a new sysextd "client activation request" after it; otherwise it
// is AppNotRelaunchedError, never a product failure.
import { posix } from 'node:path';
import { AppNotRelaunchedError, WaitTimeoutError } from '../errors.ts';
import { retryUntil } from '../retry.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import { bundleInfoFrom, plutilCommand } from './bundle-info.ts';
import { type GuestTime, guestTimeCommands, guestTimeFrom } from './guest-clock.ts';
import { activationRequests, formatLog, readSysextdLog } from './sysextd-log.ts';

export interface RelaunchOptions {
  /** Command that launches the app; the app path is appended. @default ['open', '-a'] */
  launchCommand?: readonly string[];
  /** The extensions whose activation request proves the launch. */
  extensionIds: readonly string[];
  signal?: AbortSignal;
  /** How long the app may take to quit. @default 15000 */
  quitTimeoutMs?: number;
  /** How long the new process may take to start and send its request. @default 30000 */
  requestTimeoutMs?: number;
}

export const relaunchDefaults = {
  launchCommand: ['open', '-a'],
  quitTimeoutMs: 15_000,
  requestTimeoutMs: 30_000,
} as const;

/** Pids of processes named exactly `name` (`pgrep -x`; exit 1 is "none"). */
export async function processIds(
  guest: GuestSession,
  name: string,
  options: { signal?: AbortSignal } = {},
): Promise<number[]> {
  const result = await guest.exec(['pgrep', '-x', name], { signal: options.signal, allowFailure: true });
  if (result.exitCode !== 0 && result.exitCode !== 1)
    throw new Error(
      `pgrep -x ${name} failed on ${guest.target} (exit ${result.exitCode}): ${result.stderr.trim()}`,
    );
  return result.stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

function waitUntilGone(
  guest: GuestSession,
  name: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  return retryUntil(
    async () => {
      const pids = await processIds(guest, name, { signal });
      if (pids.length > 0) throw new Error(`still running as pid ${pids.join(', ')}`);
    },
    {
      what: `${name} to quit`,
      vm: guest.label,
      timeoutMs,
      intervalMs: 50,
      backoffFactor: 2,
      maxIntervalMs: 500,
      signal,
    },
  );
}

/**
 * Quits every running instance of the app: a quit Apple event by bundle ID, and `pkill -x` for
 * one that does not answer it. Throws AppNotRelaunchedError if the process outlives both.
 */
export async function quitApp(
  guest: GuestSession,
  app: { path: string; bundleId: string; processName: string },
  options: {
    signal?: AbortSignal;
    timeoutMs?: number;
    /** The app's pids as the caller has just seen them. @default looked up here */
    running?: readonly number[];
  } = {},
): Promise<void> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? relaunchDefaults.quitTimeoutMs;
  const running = options.running ?? (await processIds(guest, app.processName, { signal }));
  if (running.length === 0) return;
  const quit = await guest.exec(['osascript', '-e', `quit app id "${app.bundleId}"`], {
    signal,
    allowFailure: true,
    timeoutMs: 60_000,
  });
  try {
    await waitUntilGone(guest, app.processName, timeoutMs / 2, signal);
    return;
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
  }
  await guest.exec(['pkill', '-x', app.processName], { signal, allowFailure: true });
  try {
    await waitUntilGone(guest, app.processName, timeoutMs / 2, signal);
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    throw new AppNotRelaunchedError(
      guest.label,
      app.path,
      `the running ${app.processName} did not quit (quit app id "${app.bundleId}" exit ${quit.exitCode}, then pkill -x): ${error.lastSeen ?? error.message}`,
      { 'quit-app.txt': `${quit.command}\nexit ${quit.exitCode}\n${quit.stdout}${quit.stderr}` },
    );
  }
}

/**
 * Quits the app if it runs, launches `appPath`, and returns the new process's pid once sysextd
 * has logged a new activation request for one of `extensionIds`. The old process is gone before
 * the launch, so a request counted after it comes from the new one. `since` is the guest's time
 * before it all, read with the app's Info.plist: the requests are counted from it.
 */
export async function relaunchApp(
  guest: GuestSession,
  appPath: string,
  options: RelaunchOptions,
): Promise<{ pid: number; since: GuestTime }> {
  const { signal } = options;
  const [epoch, local, plist] = await guest.execEach([...guestTimeCommands, plutilCommand(appPath)], {
    signal,
    allowFailure: true,
  });
  const since = guestTimeFrom(epoch!.stdout, local!.stdout, guest.target);
  const info = bundleInfoFrom(plist!, appPath, guest.target);
  const processName = posix.basename(info.executable ?? posix.basename(appPath, '.app'));
  const before = await processIds(guest, processName, { signal });
  await quitApp(
    guest,
    { path: appPath, bundleId: info.bundleId, processName },
    { signal, timeoutMs: options.quitTimeoutMs, running: before },
  );
  const requestsBefore = activationRequests(
    await readSysextdLog(guest, { start: since.logStart, signal }),
    options.extensionIds,
  );
  const command = [...(options.launchCommand ?? relaunchDefaults.launchCommand), appPath];
  await guest.exec(command, { signal, timeoutMs: 30_000 });
  const timeoutMs = options.requestTimeoutMs ?? relaunchDefaults.requestTimeoutMs;
  let newPid: number | undefined;
  try {
    await retryUntil(
      async () => {
        const pids = await processIds(guest, processName, { signal });
        newPid = pids.find((pid) => !before.includes(pid));
        if (newPid === undefined)
          throw new Error(
            `no new ${processName} process (running: ${pids.join(', ') || 'none'}; before: ${before.join(', ') || 'none'})`,
          );
        const log = await readSysextdLog(guest, { start: since.logStart, signal });
        if (activationRequests(log, options.extensionIds) <= requestsBefore)
          throw new Error(
            `${processName} runs as pid ${newPid}, but sysextd logged no new client activation request`,
          );
      },
      {
        what: `a new ${processName} process and its activation request`,
        vm: guest.label,
        timeoutMs,
        intervalMs: 10,
        backoffFactor: 2,
        maxIntervalMs: 500,
        signal,
      },
    );
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    const log = await readSysextdLog(guest, { start: since.logStart, signal });
    const pids = await guest.exec(['pgrep', '-x', processName], { signal, allowFailure: true });
    throw new AppNotRelaunchedError(
      guest.label,
      appPath,
      `after \`${command.join(' ')}\`, within ${timeoutMs} ms: ${error.lastSeen ?? error.message}`,
      {
        'sysextd-log.txt': formatLog(log),
        'pgrep.txt': `${pids.command}\nexit ${pids.exitCode}\n${pids.stdout}${pids.stderr}`,
      },
    );
  }
  return { pid: newPid as number, since };
}
