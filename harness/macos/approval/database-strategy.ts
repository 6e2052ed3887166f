// `database`: the SIP-off bypass used on GitHub's macOS runners (approval-and-power-facts.md §4.3,
// real-mac-review.md item 1, fix 3): the extension's entry in /Library/SystemExtensions/db.plist goes
// from activated_waiting_for_user to activated_enabling, then sysextd restarts (`launchctl kickstart
// -k system/com.apple.sysextd`) and reads it. Only this entry is edited (identifier and version),
// with `plutil -replace`, which keeps the file's format. The app is relaunched afterwards, as that
// sequence does: its request died with the old sysextd, and it saves its configuration on launch.
// Seeding the NE preferences is not done: a captured file fits only the exact signed build (§5).
// Iterations approved this way skip what a user does: they are labelled "approval bypassed".
import { ApprovalAutomationError, WaitTimeoutError } from '../../errors.ts';
import type { GuestSession } from '../../ssh/guest-session.ts';
import { relaunchApp } from '../app-process.ts';
import { awaitActivationOutcome, REFUSAL } from '../sysextd-log.ts';
import { describeVersion } from '../system-extensions.ts';
import { automationFailure } from './approval-evidence.ts';
import {
  type ApprovalOptions,
  type ApprovalOutcome,
  approvalDefaults,
  type WaitingExtension,
} from './approval-types.ts';
import { allowConfiguration } from './ui-strategy.ts';

export const SYSEXT_DB = '/Library/SystemExtensions/db.plist';

interface DbEntry {
  identifier?: string;
  state?: string;
  bundleVersion?: { CFBundleShortVersionString?: string; CFBundleVersion?: string };
}

export async function approveWithDatabase(
  guest: GuestSession,
  extension: WaitingExtension,
  options: ApprovalOptions,
): Promise<ApprovalOutcome> {
  const { signal } = options;
  const refuse = (detail: string, evidence: Record<string, string> = {}) =>
    new ApprovalAutomationError(
      guest.label,
      describeVersion(extension),
      'activated waiting for user',
      `database approval: ${detail}`,
      evidence,
    );
  const sip = await guest.exec(['csrutil', 'status'], { signal, allowFailure: true });
  if (!/status: disabled\./.test(sip.stdout))
    throw refuse(`needs SIP off; csrutil status: ${sip.stdout.trim() || sip.stderr.trim()}`, {
      'csrutil-status.txt': sip.stdout + sip.stderr,
    });
  const read = await guest.exec(['sudo', '-n', 'plutil', '-convert', 'json', '-o', '-', SYSEXT_DB], {
    signal,
    allowFailure: true,
  });
  let entries: DbEntry[] = [];
  try {
    entries = (JSON.parse(read.stdout) as { extensions?: DbEntry[] }).extensions ?? [];
  } catch {
    throw refuse(`cannot read ${SYSEXT_DB}: ${read.stderr.trim() || read.stdout.slice(0, 200)}`);
  }
  const index = entries.findIndex(
    (e) =>
      e.identifier === extension.bundleId &&
      e.state === 'activated_waiting_for_user' &&
      e.bundleVersion?.CFBundleShortVersionString === extension.shortVersion &&
      e.bundleVersion?.CFBundleVersion === extension.bundleVersion,
  );
  if (index < 0)
    throw refuse(`no entry waiting for the user in ${SYSEXT_DB}`, { 'db-plist.json': read.stdout });
  const transcript: string[] = [];
  for (const command of [
    [
      'sudo',
      '-n',
      'plutil',
      '-replace',
      `extensions.${index}.state`,
      '-string',
      'activated_enabling',
      SYSEXT_DB,
    ],
    ['sudo', '-n', 'launchctl', 'kickstart', '-k', 'system/com.apple.sysextd'],
  ]) {
    const run = await guest.exec(command, { signal, allowFailure: true, timeoutMs: 60_000 });
    transcript.push(`$ ${run.command}\nexit ${run.exitCode}\n${run.stdout}${run.stderr}`);
    if (run.exitCode !== 0)
      throw refuse(`${run.command} failed: ${run.stderr.trim()}`, {
        'approval-database.txt': transcript.join('\n'),
      });
  }
  try {
    const outcome = await awaitActivationOutcome(guest, extension, ['activated enabled'], {
      start: options.since,
      timeoutMs: options.settleTimeoutMs ?? approvalDefaults.settleTimeoutMs,
      refusal: options.refusal ?? REFUSAL,
      signal,
    });
    if (outcome.kind === 'refused') return outcome;
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    throw await automationFailure(
      guest,
      extension,
      options,
      `database approval: sysextd did not take the edited state; last seen: ${error.lastSeen ?? error.message}`,
      { 'approval-database.txt': transcript.join('\n') },
    );
  }
  if (options.appPath) {
    await relaunchApp(guest, options.appPath, { extensionIds: [extension.bundleId], signal });
    await allowConfiguration(guest, options);
  }
  return { kind: 'approved', strategy: 'database' };
}
