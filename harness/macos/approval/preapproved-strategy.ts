// `preapproved`: the image allows the team ID already (an MDM system-extension policy, §4.3 of
// approval-and-power-facts.md): nothing is clicked or edited, the extension must become
// [activated enabled] by itself. If it waits for the user, the image is not what the run assumed.
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

export async function verifyPreapproved(
  guest: GuestSession,
  extension: WaitingExtension,
  options: ApprovalOptions,
): Promise<ApprovalOutcome> {
  try {
    const outcome = await awaitActivationOutcome(guest, extension, ['activated enabled'], {
      start: options.since,
      timeoutMs: options.settleTimeoutMs ?? approvalDefaults.settleTimeoutMs,
      refusal: options.refusal ?? REFUSAL,
      signal: options.signal,
    });
    if (outcome.kind === 'refused') return outcome;
    return { kind: 'approved', strategy: 'preapproved' };
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    throw await automationFailure(
      guest,
      extension,
      options,
      `--approval preapproved, but the image does not pre-approve it (no policy allows its team); last seen: ${error.lastSeen ?? error.message}`,
      {},
    );
  }
}
