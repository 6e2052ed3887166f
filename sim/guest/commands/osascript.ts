// osascript: runs AppleScript given with -e (lines joined by newlines), in a file or on stdin,
// through a small interpreter of the subset the harness uses (osascript-parse.ts, osascript-run.ts),
// against the model of System Settings, SecurityAgent and UserNotificationCenter
// (model/system-settings*.ts). Errors print as osascript does: `<from>:<to>: execution error:
// <message> (<number>)` or `... syntax error: ...` on stderr, exit 1; the script's result is printed
// in the human-readable form. Apple events need the GUI session: before it exists every script that
// talks to an application fails with -10810.

import { hasGuiSession, NO_SESSION_ERROR } from '../model/gui-session.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';
import { AppleScriptSyntaxError, parseAppleScript } from './osascript-parse.ts';
import { AppleScriptRun, display, ScriptError } from './osascript-run.ts';

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

/** `<from>:<to>: execution error: ...`, the range of the statement osascript blames. */
function executionError(body: string, statement: RegExp, text: string): string {
  const at = statement.exec(body);
  const from = at?.index ?? 0;
  return `${from}:${from + (at?.[0].length ?? body.length)}: execution error: ${text}\n`;
}

async function osascript(ctx: CommandContext) {
  const script = await scriptText(ctx);
  if (typeof script !== 'string') return fail(script.error);
  const talksToApps = /\btell\s+app(lication)?\b|\bquit\s+app(lication)?\b|\bapp(lication)?\s+id\b/.test(
    script,
  );
  if (talksToApps && !hasGuiSession(ctx.machine.state)) {
    return fail(
      executionError(
        script,
        /tell\s+app[^\n]*|quit\s+app[^\n]*/,
        `An error of type ${NO_SESSION_ERROR} has occurred. (${NO_SESSION_ERROR})`,
      ),
    );
  }
  let program: ReturnType<typeof parseAppleScript>;
  try {
    program = parseAppleScript(script);
  } catch (error) {
    if (!(error instanceof AppleScriptSyntaxError)) throw error;
    return fail(`${error.start}:${error.end}: syntax error: ${error.message} (-2740)\n`);
  }
  try {
    const result = await new AppleScriptRun({
      machine: ctx.machine,
      user: ctx.user,
      signal: ctx.signal,
      afterReply: (task) => ctx.afterReply(task),
    }).run(program);
    const text = display(result);
    return ok(text === '' && result === undefined ? '' : `${text}\n`);
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    const span = error.span ?? { start: 0, end: script.length };
    return fail(`${span.start}:${span.end}: execution error: ${error.message} (${error.num})\n`);
  }
}

export const osascriptCommands: CommandTable = { osascript };
