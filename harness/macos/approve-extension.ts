// Approves a waiting system extension by the run's strategy (`--approval`, real-mac-review.md
// item 1): `ui` scripts System Settings as a user would, `database` edits sysextd's database with
// SIP off, `preapproved` only verifies that the image allows it, and `auto` tries `ui`, then
// `database`. Every approval records the strategy that worked (finding `approval-strategy`); one
// done through the database is labelled `approval: database (bypassed)`, because it skips what a
// user does. An approval without effect is ApprovalAutomationError (an `error`, never a `fail`).
import { ApprovalAutomationError } from '../errors.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import {
  type ApprovalOptions,
  type ApprovalOutcome,
  approvalDefaults,
  type WaitingExtension,
} from './approval/approval-types.ts';
import { approveWithDatabase } from './approval/database-strategy.ts';
import { verifyPreapproved } from './approval/preapproved-strategy.ts';
import { approveWithUi } from './approval/ui-strategy.ts';

export {
  APPROVAL_STRATEGIES,
  type ApprovalOptions,
  type ApprovalOutcome,
  type ApprovalStrategyName,
  approvalDefaults,
} from './approval/approval-types.ts';
export { approvalScript, NETWORK_EXTENSIONS_URL, UI_TREE_SCRIPT } from './approval/ui-script.ts';

/**
 * Approves `extension` (waiting for the user) and returns once it is [activated enabled], or with
 * sysextd's refusal. Throws ApprovalAutomationError when no strategy had an effect.
 */
export async function approveExtension(
  guest: GuestSession,
  extension: WaitingExtension,
  options: ApprovalOptions,
): Promise<ApprovalOutcome> {
  const strategy = options.strategy ?? approvalDefaults.strategy;
  const outcome = await run(guest, extension, options, strategy);
  if (outcome.kind === 'approved') {
    options.recordFinding?.('approval-strategy', outcome.strategy);
    if (outcome.strategy === 'database') options.recordFinding?.('approval', 'database (bypassed)');
  }
  return outcome;
}

async function run(
  guest: GuestSession,
  extension: WaitingExtension,
  options: ApprovalOptions,
  strategy: ApprovalOptions['strategy'],
): Promise<ApprovalOutcome> {
  if (strategy === 'ui') return approveWithUi(guest, extension, options);
  if (strategy === 'database') return approveWithDatabase(guest, extension, options);
  if (strategy === 'preapproved') return verifyPreapproved(guest, extension, options);
  try {
    return await approveWithUi(guest, extension, options);
  } catch (uiError) {
    if (!(uiError instanceof ApprovalAutomationError)) throw uiError;
    try {
      return await approveWithDatabase(guest, extension, options);
    } catch (dbError) {
      if (!(dbError instanceof ApprovalAutomationError)) throw dbError;
      // Both failed: the UI's evidence first, the database's reason in the message.
      throw new ApprovalAutomationError(
        uiError.vm,
        uiError.extension,
        dbError.state,
        `${uiError.message.replace(/^.*?\): /, '')}; then ${dbError.message.replace(/^.*?\): /, '')}`,
        { ...dbError.evidence, ...uiError.evidence },
      );
    }
  }
}
