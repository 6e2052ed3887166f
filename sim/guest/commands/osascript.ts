// osascript: recognises the scripts the harness sends (harness/macos/approve-extension.ts,
// app-process.ts) and trivial ones. The approval script is known by `tell application "System
// Events"` + `set extensionName to "<NAME>"`, its password by `set adminPassword to "<PW>"`; a UI
// dump by `entire contents`; a quit by `quit app id "<ID>"`. Apple events need the GUI session:
// before it exists every script that talks to an application fails with -10810.

import { quitAppsLater } from '../model/app-launch.ts';
import { hasGuiSession, NO_SESSION_ERROR } from '../model/gui-session.ts';
import { approveByName } from '../model/sysextd.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';
import type { GuestState } from '../state.ts';

async function scriptText(ctx: CommandContext): Promise<string | { error: string }> {
  const args = ctx.argv.slice(1);
  const lines: string[] = [];
  let file: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (arg === '-e') lines.push(args[++k] ?? '');
    else if (arg === '-l') k++;
    else if (arg === '-s') k++;
    else if (!arg.startsWith('-') || arg === '-') {
      file = arg;
      break;
    }
  }
  if (lines.length > 0) return lines.join('\n');
  if (file === undefined || file === '-') return (await ctx.stdin()).toString('utf8');
  const info = await ctx.fs.stat(file);
  if (!info?.isFile()) return { error: `osascript: ${file}: No such file or directory\n` };
  return (await ctx.fs.readFile(file)).toString('utf8');
}

function appleScriptString(literal: string): string {
  return literal.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

const STRING = '"((?:[^"\\\\]|\\\\.)*)"';

/** `<from>:<to>: execution error: ...`, the range of the statement osascript blames. */
function executionError(body: string, statement: RegExp, text: string): string {
  const at = statement.exec(body);
  const from = at?.index ?? 0;
  return `${from}:${from + (at?.[0].length ?? body.length)}: execution error: ${text}\n`;
}

/**
 * Reconstructed: no public `entire contents` dump of the 15/26 sheet exists
 * (approval-and-power-facts.md §1.3); this follows its described shape, one switch per extension.
 */
function settingsTree(state: GuestState): string {
  const app = 'application process System Settings';
  const window = `window Login Items & Extensions of ${app}`;
  const sheet = `sheet 1 of ${window}`;
  const group = `group 1 of scroll area 1 of group 1 of ${sheet}`;
  const items = [
    window,
    `group 1 of ${window}`,
    sheet,
    `static text Network Extensions of group 1 of ${sheet}`,
    `scroll area 1 of group 1 of ${sheet}`,
    group,
    ...state.extensions
      .filter((e) => e.category === 'com.apple.system_extension.network_extension')
      .flatMap((e) => [`static text ${e.name} of ${group}`, `checkbox ${e.name} of ${group}`]),
    `button Done of ${sheet}`,
  ];
  return `${items.join(', ')}\n`;
}

async function osascript(ctx: CommandContext) {
  const script = await scriptText(ctx);
  if (typeof script !== 'string') return fail(script.error);
  const body = script.trim();
  const talksToApps = /\btell\s+application\b|\bquit\s+app(lication)?\b|\bapplication\s+id\b/.test(body);
  if (talksToApps && !hasGuiSession(ctx.machine.state)) {
    return fail(
      executionError(
        body,
        /tell\s+application[^\n]*|quit\s+app[^\n]*/,
        `An error of type ${NO_SESSION_ERROR} has occurred. (${NO_SESSION_ERROR})`,
      ),
    );
  }
  const nameMatch = new RegExp(`set\\s+extensionName\\s+to\\s+${STRING}`).exec(body);
  if (/tell\s+application\s+"System Events"/.test(body) && nameMatch) {
    const name = appleScriptString(nameMatch[1]!);
    const passwordMatch = new RegExp(`set\\s+adminPassword\\s+to\\s+${STRING}`).exec(body);
    const password = passwordMatch ? appleScriptString(passwordMatch[1]!) : undefined;
    const outcome = await approveByName(ctx.machine, name, password);
    if (outcome.result === 'no-such-extension') {
      return fail(
        `execution error: System Events got an error: Can’t get checkbox "${name}" of window "Login Items & Extensions". Invalid index. (-1719)\n`,
      );
    }
    // An ignored attempt looks like a good one from here: the script clicked and returned.
    return ok();
  }
  if (/tell\s+application\s+"System Events"/.test(body) && /\bentire\s+contents\b/.test(body)) {
    return ok(settingsTree(ctx.machine.state));
  }
  const quit = new RegExp(
    `^(?:quit\\s+app(?:lication)?\\s+id\\s+${STRING}|tell\\s+application\\s+id\\s+${STRING}\\s+to\\s+quit)$`,
  ).exec(body);
  if (quit) {
    const bundleId = appleScriptString(quit[1] ?? quit[2]!);
    // A quit event to an app that is not running launches nothing (AppleScript skips the launch for quit).
    quitAppsLater(ctx.machine, (app) => app.bundleId === bundleId);
    return ok();
  }
  if (body === '') return ok();
  const ret = /^return\s+(?:"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?)|(true|false))$/.exec(body);
  if (ret) return ok(`${ret[1] !== undefined ? appleScriptString(ret[1]) : (ret[2] ?? ret[3])}\n`);
  if (/^display notification\s+"(?:[^"\\]|\\.)*"(\s+with title\s+"(?:[^"\\]|\\.)*")?$/.test(body))
    return ok();
  // [RECONSTRUCTED] the sim understands no other AppleScript; report it as the compiler would.
  return fail(`0:${Math.min(body.length, 20)}: syntax error: A unknown token can’t go here. (-2740)\n`);
}

export const osascriptCommands: CommandTable = { osascript };
