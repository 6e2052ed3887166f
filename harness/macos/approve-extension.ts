// Approves a waiting system extension the way a user does: System Settings > General > Login
// Items & Extensions, switch the extension on. UI scripting over SSH works on the Cirrus Labs base
// images because they grant osascript Accessibility and AppleEvents (tart-cli.md §2, §5). The
// element path below is for macOS 15 and later and is unverified on real hardware; the sim models
// exactly this script (see sim/README.md).
import type { GuestSession } from '../ssh/guest-session.ts';

/** AppleScript string literal: backslashes and quotes escaped. */
function appleScriptString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export function approvalScript(extensionName: string): string[] {
  return [
    `set extensionName to ${appleScriptString(extensionName)}`,
    `do shell script "open 'x-apple.systempreferences:com.apple.LoginItems-Settings.extension'"`,
    'delay 2',
    'tell application "System Events"',
    '  tell process "System Settings"',
    '    set theSwitch to checkbox extensionName of group 1 of scroll area 1 of group 1 of sheet 1 of window "Login Items & Extensions"',
    '    if value of theSwitch is 0 then click theSwitch',
    '  end tell',
    'end tell',
  ];
}

export async function approveExtension(
  guest: GuestSession,
  extensionName: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const args = approvalScript(extensionName).flatMap((line) => ['-e', line]);
  await guest.exec(['osascript', ...args], { signal: options.signal, timeoutMs: 60_000 });
}
