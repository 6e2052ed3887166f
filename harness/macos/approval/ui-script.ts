// The AppleScript the `ui` strategy sends to System Events (approval-and-power-facts.md §1, §3).
// Element paths of the 15/26 sheet and of the prompt are unverified on hardware (§1.3 "unknown"), so
// the script finds elements by role and text instead of fixed indices, and waits for each one in
// bounded 0.25 s steps: a cold System Settings in a VM takes seconds (real-mac-review.md item 1).

/** The Network Extensions sheet, presented directly (first-hand on 27; falls back to the (i) button). */
export const NETWORK_EXTENSIONS_URL =
  'x-apple.systempreferences:com.apple.ExtensionsPreferences?extensionPointIdentifier=com.apple.system_extension.network_extension.extension-point';

/** AppleScript string literal: backslashes and quotes escaped. */
export function appleScriptString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** Waits (bounded) until `condition` holds, in 0.25 s steps. */
function waitLines(condition: string, steps: number, indent: string): string[] {
  return [`repeat ${steps} times`, `  if ${condition} then exit repeat`, '  delay 0.25', 'end repeat'].map(
    (l) => indent + l,
  );
}

/** Opens the Network Extensions sheet, turns the extension's switch on, answers the password prompt, Done. */
export function approvalScript(extensionName: string, password: string): string[] {
  return [
    `set extensionName to ${appleScriptString(extensionName)}`,
    `set adminPassword to ${appleScriptString(password)}`,
    // An open System Settings does not move to a new URL (§1.2): quit it first.
    'if application id "com.apple.systempreferences" is running then',
    '  tell application id "com.apple.systempreferences" to quit',
    ...waitLines('application id "com.apple.systempreferences" is not running', 40, '  '),
    'end if',
    `do shell script "open " & quoted form of ${appleScriptString(NETWORK_EXTENSIONS_URL)}`,
    'tell application "System Events"',
    '  tell process "System Settings"',
    ...waitLines('exists window 1', 120, '    '),
    '    if not (exists window 1) then error "System Settings showed no window"',
    '    set theWindow to window 1',
    ...waitLines('exists sheet 1 of theWindow', 8, '    '),
    // Not presented by the URL: open it with the (i) button of the "Network Extensions" row; on 26
    // those rows are under "By Category" (§1.1).
    '    if not (exists sheet 1 of theWindow) then',
    '      repeat with anElement in (entire contents of theWindow)',
    '        if class of anElement is radio button and name of anElement is "By Category" then',
    '          if value of anElement is 0 then click anElement',
    '          exit repeat',
    '        end if',
    '      end repeat',
    '      set infoButton to missing value',
    '      repeat 40 times',
    '        repeat with anElement in (entire contents of theWindow)',
    '          try',
    '            if class of anElement is static text and value of anElement is "Network Extensions" then',
    '              set infoButton to first button of (value of attribute "AXParent" of anElement)',
    '              exit repeat',
    '            end if',
    '          end try',
    '        end repeat',
    '        if infoButton is not missing value then exit repeat',
    '        delay 0.25',
    '      end repeat',
    '      if infoButton is missing value then error "No Network Extensions row in " & (name of theWindow)',
    '      click infoButton',
    ...waitLines('exists sheet 1 of theWindow', 40, '      '),
    '    end if',
    '    if not (exists sheet 1 of theWindow) then error "The Network Extensions sheet did not open"',
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
    // macOS asks for Touch ID or an administrator password; a VM has no Touch ID (§1.4). The
    // prompt is SecurityAgent's window or a sheet over the Settings sheet (unverified which).
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
    '  if theDialog is missing value then error "No password prompt after the switch of " & extensionName',
    '  set value of (last text field of theDialog) to adminPassword',
    '  repeat with buttonName in {"OK", "Modify Settings", "Allow", "Unlock"}',
    '    if exists button (contents of buttonName) of theDialog then',
    '      click button (contents of buttonName) of theDialog',
    '      exit repeat',
    '    end if',
    '  end repeat',
    ...waitLines('not (exists theDialog)', 40, '  '),
    '  if exists theDialog then error "The password prompt stayed up (wrong password?)"',
    '  tell process "System Settings"',
    '    if exists button "Done" of sheet 1 of window 1 then click button "Done" of sheet 1 of window 1',
    '  end tell',
    'end tell',
  ];
}

/**
 * Answers the "would like to add ... configurations" (or a content filter's "would like to filter
 * network content") alert with Allow (§3): looked for by its text
 * in the processes a public auto-clicker tries, for up to `steps` quarter seconds. Prints `allowed`
 * or `no alert`.
 */
export function allowConfigurationScript(steps = 40): string[] {
  return [
    'set clicked to false',
    'tell application "System Events"',
    `  repeat ${steps} times`,
    '    repeat with processName in {"UserNotificationCenter", "SystemUIServer", "SecurityAgent"}',
    '      if exists process (contents of processName) then',
    '        repeat with aWindow in (every window of process (contents of processName))',
    '          repeat with anElement in (entire contents of aWindow)',
    '            try',
    '              if class of anElement is static text and (value of anElement contains "Would Like to Add" or value of anElement contains "Would Like to Filter") then',
    '                click button "Allow" of aWindow',
    '                set clicked to true',
    '              end if',
    '            end try',
    '            if clicked then exit repeat',
    '          end repeat',
    '          if clicked then exit repeat',
    '        end repeat',
    '      end if',
    '      if clicked then exit repeat',
    '    end repeat',
    '    if clicked then exit repeat',
    '    delay 0.25',
    '  end repeat',
    'end tell',
    'if clicked then return "allowed"',
    'return "no alert"',
  ];
}

/** Asks System Events for the whole System Settings window: what the automation saw. */
export const UI_TREE_SCRIPT =
  'tell application "System Events" to tell process "System Settings" to get entire contents of window 1';
