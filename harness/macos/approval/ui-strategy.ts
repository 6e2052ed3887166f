// `ui`: a user's approval scripted through System Events (ui-script.ts), then the configuration
// "Allow" alert. An attempt counts only when the extension becomes [activated enabled]; after the
// attempts without effect and without a refusal from sysextd it is ApprovalAutomationError (an
// `error`, never a `fail`) with the scripts' transcripts, the UI tree and a screenshot.
import { WaitTimeoutError } from '../../errors.ts';
import type { GuestSession } from '../../ssh/guest-session.ts';
import { awaitActivationOutcome, REFUSAL } from '../sysextd-log.ts';
import { automationFailure } from './approval-evidence.ts';
import {
  type ApprovalOptions,
  type ApprovalOutcome,
  approvalDefaults,
  type WaitingExtension,
} from './approval-types.ts';
import { scriptRun } from './script-run.ts';
import { allowConfigurationScript, approvalScript } from './ui-script.ts';

export async function approveWithUi(
  guest: GuestSession,
  extension: WaitingExtension,
  options: ApprovalOptions,
): Promise<ApprovalOutcome> {
  const { signal } = options;
  const attempts = options.attempts ?? approvalDefaults.attempts;
  const settleTimeoutMs = options.settleTimeoutMs ?? approvalDefaults.settleTimeoutMs;
  const password = options.password ?? guest.endpoint.credentials.password ?? '';
  const args = approvalScript(extension.name, password).flatMap((line) => ['-e', line]);
  const transcripts: string[] = [];
  let lastSeen = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const run = await scriptRun(guest, ['osascript', ...args], {
      signal,
      timeoutMs: options.scriptTimeoutMs ?? approvalDefaults.scriptTimeoutMs,
    });
    const text = `attempt ${attempt}: osascript ${run.exitCode === null ? 'did not end' : `exit ${run.exitCode}`}\n${run.stdout}${run.stderr}`;
    transcripts.push(password ? text.replaceAll(password, '***') : text);
    try {
      const outcome = await awaitActivationOutcome(guest, extension, ['activated enabled'], {
        start: options.since,
        timeoutMs: settleTimeoutMs,
        refusal: options.refusal ?? REFUSAL,
        signal,
      });
      if (outcome.kind === 'refused') return outcome;
      await allowConfiguration(guest, options);
      return { kind: 'approved', strategy: 'ui' };
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
      lastSeen = error.lastSeen ?? error.message;
    }
  }
  throw await automationFailure(
    guest,
    extension,
    options,
    `${transcripts.length} System Settings attempt(s) and sysextd refused nothing; last seen: ${lastSeen}`,
    { 'approval-osascript.txt': transcripts.join('\n') },
  );
}

/**
 * The app saves its VPN/proxy configuration once approved, and macOS asks the user first (§3). An
 * alert that never comes (an ES extension, consent given before) is no failure: what the scenario
 * needs of the configuration, it checks itself.
 */
export async function allowConfiguration(guest: GuestSession, options: ApprovalOptions): Promise<string> {
  const args = allowConfigurationScript().flatMap((line) => ['-e', line]);
  const run = await scriptRun(guest, ['osascript', ...args], { signal: options.signal, timeoutMs: 60_000 });
  return run.stdout.trim() || run.stderr.trim();
}
