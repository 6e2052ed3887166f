// What an approval that had no effect leaves as evidence: the extension list, sysextd's lines, the
// System Settings element tree (`entire contents`) and a `screencapture -x` PNG.
import { ApprovalAutomationError } from '../../errors.ts';
import type { GuestSession } from '../../ssh/guest-session.ts';
import { formatLog, readSysextdLog } from '../sysextd-log.ts';
import { describeVersion, readSystemExtensions } from '../system-extensions.ts';
import { type ApprovalOptions, approvalDefaults, type WaitingExtension } from './approval-types.ts';
import { scriptRun } from './script-run.ts';
import { UI_TREE_SCRIPT } from './ui-script.ts';

export async function automationFailure(
  guest: GuestSession,
  extension: WaitingExtension,
  options: ApprovalOptions,
  detail: string,
  evidence: Record<string, string>,
): Promise<ApprovalAutomationError> {
  const { signal } = options;
  const list = await readSystemExtensions(guest, { signal });
  const row = list.extensions.find(
    (e) =>
      e.bundleId === extension.bundleId &&
      e.shortVersion === extension.shortVersion &&
      e.bundleVersion === extension.bundleVersion,
  );
  const log = await readSysextdLog(guest, { start: options.since, signal });
  // The evidence of a hung System Events may hang too: it is then a note, and the error still comes.
  const tree = await scriptRun(guest, ['osascript', '-e', UI_TREE_SCRIPT], {
    signal,
    timeoutMs: options.scriptTimeoutMs ?? approvalDefaults.scriptTimeoutMs,
  });
  return new ApprovalAutomationError(
    guest.label,
    describeVersion(extension),
    row?.state ?? 'not listed',
    detail,
    {
      'systemextensionsctl-list.txt': list.raw,
      'sysextd-log.txt': formatLog(log),
      ...evidence,
      'settings-ui-tree.txt': `$ ${tree.command}\nexit ${tree.exitCode}\n${tree.stdout}${tree.stderr}`,
      'approval-screenshot.txt': await screenshot(guest, options),
    },
  );
}

/** `screencapture -x` in the guest, saved with the evidence when the caller can; a note either way. */
async function screenshot(guest: GuestSession, options: ApprovalOptions): Promise<string> {
  const guestPath = `/tmp/sxl-approval-${Date.now()}.png`;
  const shot = await scriptRun(guest, ['screencapture', '-x', guestPath], {
    signal: options.signal,
    timeoutMs: 60_000,
  });
  if (shot.exitCode !== 0)
    return `${shot.command}: exit ${shot.exitCode}, no screenshot: ${shot.stderr.trim() || shot.stdout.trim()}\n`;
  if (!options.saveFile) return `${shot.command}: saved in the guest at ${guestPath}\n`;
  try {
    return `${shot.command}: saved as ${await options.saveFile('approval-screenshot.png', guestPath)}\n`;
  } catch (error) {
    return `${shot.command}: in the guest at ${guestPath}; download failed: ${(error as Error).message}\n`;
  }
}
