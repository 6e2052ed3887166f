// Approves a waiting system extension the way a user does on macOS 15 and later: System Settings >
// General > Login Items & Extensions > (i) of "Network Extensions", turn the extension's switch on,
// authorise with the administrator password, Done (approval-and-power-facts.md §1). UI scripting
// over SSH works on the Cirrus Labs base images, which grant osascript and sshd-keygen-wrapper
// Accessibility and AppleEvents (real-mac-review.md item 1). The element paths of the sheet and of
// the password prompt are unverified on hardware, so the script searches by role and name instead
// of fixed indices, and the harness checks the outcome: an attempt counts only when the extension
// becomes [activated enabled]. After two attempts without effect and without a refusal from
// sysextd it throws ApprovalAutomationError (an `error`, never a `fail`), with what it saw.
import { ApprovalAutomationError, WaitTimeoutError } from '../errors.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import {
  type ActivationOutcome,
  awaitActivationOutcome,
  formatLog,
  REFUSAL,
  readSysextdLog,
} from './sysextd-log.ts';
import { describeVersion, type ExtensionVersion, readSystemExtensions } from './system-extensions.ts';

/** The Network Extensions sheet, presented directly (first-hand on 27; falls back to the (i) button). */
export const NETWORK_EXTENSIONS_URL =
  'x-apple.systempreferences:com.apple.ExtensionsPreferences?extensionPointIdentifier=com.apple.system_extension.network_extension.extension-point';

export interface ApprovalOptions {
  /** Guest-local `log show --start` time from before the activation request. */
  since: string;
  /** The administrator password for the authorisation prompt. @default the SSH password */
  password?: string;
  /** Script runs before giving up. @default 2 */
  attempts?: number;
  /** How long an attempt may take to show its effect. @default 30000 */
  settleTimeoutMs?: number;
  /** What counts as sysextd refusing the extension. @default REFUSAL */
  refusal?: RegExp;
  /** Saves a guest file (the screenshot) next to the iteration's evidence; returns where. */
  saveFile?: (name: string, guestPath: string) => Promise<string>;
  signal?: AbortSignal;
}

export const approvalDefaults = { attempts: 2, settleTimeoutMs: 30_000 } as const;

/** AppleScript string literal: backslashes and quotes escaped. */
function appleScriptString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** Waits (bounded) until `condition` holds, in 0.25 s steps; a fixed delay is too short for a cold start in a VM. */
function waitLines(condition: string, steps: number): string[] {
  return [`repeat ${steps} times`, `  if ${condition} then exit repeat`, '  delay 0.25', 'end repeat'];
}

export function approvalScript(extensionName: string, password: string): string[] {
  return [
    `set extensionName to ${appleScriptString(extensionName)}`,
    `set adminPassword to ${appleScriptString(password)}`,
    // An open System Settings does not move to a new URL: quit it first.
    'if application id "com.apple.systempreferences" is running then',
    '  tell application id "com.apple.systempreferences" to quit',
    ...waitLines('application id "com.apple.systempreferences" is not running', 40).map((l) => `  ${l}`),
    'end if',
    `do shell script "open " & quoted form of ${appleScriptString(NETWORK_EXTENSIONS_URL)}`,
    'tell application "System Events"',
    '  tell process "System Settings"',
    ...waitLines('exists window 1', 120).map((l) => `    ${l}`),
    '    if not (exists window 1) then error "System Settings showed no window"',
    '    set theWindow to window 1',
    ...waitLines('exists sheet 1 of theWindow', 20).map((l) => `    ${l}`),
    // Not presented by the URL: open it with the (i) button in the "Network Extensions" row.
    '    if not (exists sheet 1 of theWindow) then',
    '      set infoButton to missing value',
    '      repeat with anElement in (entire contents of theWindow)',
    '        try',
    '          if class of anElement is static text and value of anElement is "Network Extensions" then',
    '            set infoButton to first button of (value of attribute "AXParent" of anElement)',
    '            exit repeat',
    '          end if',
    '        end try',
    '      end repeat',
    '      if infoButton is missing value then error "No Network Extensions row in " & (name of theWindow)',
    '      click infoButton',
    ...waitLines('exists sheet 1 of theWindow', 40).map((l) => `      ${l}`),
    '    end if',
    '    set theSheet to sheet 1 of theWindow',
    // The switch: a checkbox named after the extension, or the checkbox in the row showing its name.
    '    set theSwitch to missing value',
    '    repeat with anElement in (entire contents of theSheet)',
    '      try',
    '        if class of anElement is checkbox and name of anElement is extensionName then set theSwitch to contents of anElement',
    '        if theSwitch is missing value and class of anElement is static text and value of anElement is extensionName then set theSwitch to first checkbox of (value of attribute "AXParent" of anElement)',
    '      end try',
    '      if theSwitch is not missing value then exit repeat',
    '    end repeat',
    '    if theSwitch is missing value then error "No switch for " & extensionName & " in the Network Extensions sheet"',
    '    if value of theSwitch is 0 then click theSwitch',
    '  end tell',
    // macOS asks for Touch ID or an administrator password; a VM has no Touch ID. The prompt is
    // SecurityAgent's window or a sheet over the Settings sheet (unverified which).
    '  set theDialog to missing value',
    '  repeat 40 times',
    '    if exists window 1 of process "SecurityAgent" then',
    '      set theDialog to window 1 of process "SecurityAgent"',
    '    else if exists sheet 1 of sheet 1 of window 1 of process "System Settings" then',
    '      set theDialog to sheet 1 of sheet 1 of window 1 of process "System Settings"',
    '    end if',
    '    if theDialog is not missing value then exit repeat',
    '    delay 0.25',
    '  end repeat',
    '  if theDialog is not missing value then',
    '    set value of (last text field of theDialog) to adminPassword',
    '    repeat with buttonName in {"OK", "Modify Settings", "Allow", "Unlock"}',
    '      if exists button (contents of buttonName) of theDialog then',
    '        click button (contents of buttonName) of theDialog',
    '        exit repeat',
    '      end if',
    '    end repeat',
    '  end if',
    '  tell process "System Settings"',
    ...waitLines('not (exists sheet 1 of sheet 1 of window 1)', 40).map((l) => `    ${l}`),
    '    if exists button "Done" of sheet 1 of window 1 then click button "Done" of sheet 1 of window 1',
    '  end tell',
    'end tell',
  ];
}

/** Asks System Events for the whole System Settings window: what the automation saw. */
export const UI_TREE_SCRIPT =
  'tell application "System Events" to tell process "System Settings" to get entire contents of window 1';

export type ApprovalOutcome = { kind: 'approved' } | Extract<ActivationOutcome, { kind: 'refused' }>;

/**
 * Approves `extension` (waiting for the user) and returns once it is [activated enabled], or with
 * sysextd's refusal. Throws ApprovalAutomationError when the attempts had no visible effect.
 */
export async function approveExtension(
  guest: GuestSession,
  extension: ExtensionVersion & { name: string },
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
    const run = await guest.exec(['osascript', ...args], { signal, timeoutMs: 120_000, allowFailure: true });
    transcripts.push(
      `attempt ${attempt}: osascript exit ${run.exitCode}\n${run.stdout}${run.stderr}`.replaceAll(
        password,
        '***',
      ),
    );
    try {
      const outcome = await awaitActivationOutcome(guest, extension, ['activated enabled'], {
        start: options.since,
        timeoutMs: settleTimeoutMs,
        refusal: options.refusal ?? REFUSAL,
        signal,
      });
      if (outcome.kind === 'refused') return outcome;
      return { kind: 'approved' };
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
      lastSeen = error.lastSeen ?? error.message;
    }
  }
  throw await automationFailure(guest, extension, options, transcripts, lastSeen);
}

async function automationFailure(
  guest: GuestSession,
  extension: ExtensionVersion & { name: string },
  options: ApprovalOptions,
  transcripts: string[],
  lastSeen: string,
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
  const tree = await guest.exec(['osascript', '-e', UI_TREE_SCRIPT], {
    signal,
    allowFailure: true,
    timeoutMs: 120_000,
  });
  const evidence: Record<string, string> = {
    'systemextensionsctl-list.txt': list.raw,
    'sysextd-log.txt': formatLog(log),
    'approval-osascript.txt': transcripts.join('\n'),
    'settings-ui-tree.txt': `$ ${tree.command}\nexit ${tree.exitCode}\n${tree.stdout}${tree.stderr}`,
    'approval-screenshot.txt': await screenshot(guest, options),
  };
  return new ApprovalAutomationError(
    guest.label,
    describeVersion(extension),
    row?.state ?? 'not listed',
    `${transcripts.length} System Settings attempt(s) and sysextd refused nothing; last seen: ${lastSeen}`,
    evidence,
  );
}

/** `screencapture -x` in the guest, saved with the evidence when the caller can; a note either way. */
async function screenshot(guest: GuestSession, options: ApprovalOptions): Promise<string> {
  const guestPath = `/tmp/sxl-approval-${Date.now()}.png`;
  const shot = await guest.exec(['screencapture', '-x', guestPath], {
    signal: options.signal,
    allowFailure: true,
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
