// Activation as a user triggers it: (re)launch the app, which submits its OSSystemExtensionRequest;
// approve the extension in System Settings when macOS waits for the user; wait for the state.
// Only macOS saying no (sysextd's refusal, an OSSystemExtensionErrorDomain error) fails the
// `extension-activated` check; a launch, an approval or a state that did not happen is a typed
// error (AppNotRelaunchedError, ApprovalAutomationError, WaitTimeoutError).
import { CheckFailedError } from '../errors.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import { relaunchApp } from './app-process.ts';
import { type ApprovalStrategyName, approveExtension } from './approve-extension.ts';
import type { BundleInfo } from './bundle-info.ts';
import { awaitActivationOutcome, formatLog } from './sysextd-log.ts';
import { describeVersion } from './system-extensions.ts';

export interface ActivationOptions {
  /** Command that launches the app; the app path is appended. @default ['open', '-a'] */
  launchCommand?: readonly string[];
  signal?: AbortSignal;
  /** How long macOS may take to list the extension after launch. @default 60000 */
  timeoutMs?: number;
  /** How long one approval attempt may take to show its effect. @default 30000 */
  approvalSettleMs?: number;
  /** Saves a guest file (the approval screenshot) with the iteration's evidence; returns where. */
  saveFile?: (name: string, guestPath: string) => Promise<string>;
  /** How a waiting extension is approved (--approval). @default 'auto' */
  approval?: ApprovalStrategyName;
  /** Records the approval's findings (`approval-strategy`, `approval`) with the iteration. */
  recordFinding?: (name: string, value: string) => void;
}

export const activationDefaults = { launchCommand: ['open', '-a'], timeoutMs: 60_000 } as const;

/** Launches the app as it is (`open -a`): brings a running instance forward, as LaunchServices does. */
export async function launchApp(
  guest: GuestSession,
  appPath: string,
  options: ActivationOptions = {},
): Promise<void> {
  const command = [...(options.launchCommand ?? activationDefaults.launchCommand), appPath];
  await guest.exec(command, { signal: options.signal, timeoutMs: 30_000 });
}

/**
 * Quits and relaunches the app, then brings `extension` to [activated enabled], approving it if
 * macOS asks. A refusal by macOS is a failed check; anything else that stops it is an error.
 */
export async function activateExtension(
  guest: GuestSession,
  appPath: string,
  extension: BundleInfo,
  options: ActivationOptions = {},
): Promise<void> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? activationDefaults.timeoutMs;
  // The log is read from the time the relaunch read before it quit the app.
  const { since } = await relaunchApp(guest, appPath, {
    extensionIds: [extension.bundleId],
    launchCommand: options.launchCommand,
    signal,
  });
  const refused = (lines: string[], log: Parameters<typeof formatLog>[0]) =>
    new CheckFailedError(
      'extension-activated',
      `macOS refused the activation of ${describeVersion(extension)} from ${appPath}: ${lines.join(' | ')}`,
      { 'sysextd-log.txt': formatLog(log) },
    );
  const outcome = await awaitActivationOutcome(
    guest,
    extension,
    ['activated enabled', 'activated waiting for user'],
    { start: since.logStart, timeoutMs, signal },
  );
  if (outcome.kind === 'refused') throw refused(outcome.lines, outcome.log);
  if (outcome.row.state === 'activated enabled') return;
  const approval = await approveExtension(guest, extension, {
    since: since.logStart,
    signal,
    settleTimeoutMs: options.approvalSettleMs,
    saveFile: options.saveFile,
    appPath,
    ...(options.approval ? { strategy: options.approval } : {}),
    ...(options.recordFinding ? { recordFinding: options.recordFinding } : {}),
  });
  if (approval.kind === 'refused') throw refused(approval.lines, approval.log);
}
