// What every approval strategy takes and returns (harness/macos/approve-extension.ts picks one).
import type { ActivationOutcome } from '../sysextd-log.ts';
import type { ExtensionVersion } from '../system-extensions.ts';

/** How a waiting extension gets approved: `--approval ui|database|preapproved|auto`. */
export const APPROVAL_STRATEGIES = ['ui', 'database', 'preapproved', 'auto'] as const;
export type ApprovalStrategyName = (typeof APPROVAL_STRATEGIES)[number];

export type WaitingExtension = ExtensionVersion & { name: string };

export interface ApprovalOptions {
  /** Guest-local `log show --start` time from before the activation request. */
  since: string;
  /** @default 'auto': ui, then database when the UI had no effect */
  strategy?: ApprovalStrategyName;
  /** The administrator password for the authorisation prompt. @default the SSH password */
  password?: string;
  /** The app that requested the activation: `database` relaunches it so that it saves its configuration. */
  appPath?: string;
  /** System Settings runs before `ui` gives up. @default 2 */
  attempts?: number;
  /** How long an attempt may take to show its effect. @default 30000 */
  settleTimeoutMs?: number;
  /**
   * Bound for one System Events script; one that never returns (System Events held by a consent
   * prompt nobody answers) is an attempt without effect. @default 120000
   */
  scriptTimeoutMs?: number;
  /** What counts as sysextd refusing the extension. @default REFUSAL */
  refusal?: RegExp;
  /** Saves a guest file (the screenshot) next to the iteration's evidence; returns where. */
  saveFile?: (name: string, guestPath: string) => Promise<string>;
  /** Records a finding of the iteration (`approval-strategy`, `approval`). */
  recordFinding?: (name: string, value: string) => void;
  signal?: AbortSignal;
}

export const approvalDefaults = {
  strategy: 'auto',
  attempts: 2,
  settleTimeoutMs: 30_000,
  scriptTimeoutMs: 120_000,
} as const;

export type ApprovalOutcome =
  | { kind: 'approved'; strategy: Exclude<ApprovalStrategyName, 'auto'> }
  | Extract<ActivationOutcome, { kind: 'refused' }>;
