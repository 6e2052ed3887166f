// osascript: recognises the System Events UI script that approves an extension in System Settings
// (`tell application "System Events"` + `set extensionName to "<NAME>"`), and trivial scripts.
import { approveByName } from '../model/sysextd.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

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

async function osascript(ctx: CommandContext) {
  const script = await scriptText(ctx);
  if (typeof script !== 'string') return fail(script.error);
  const body = script.trim();
  const nameMatch = /set\s+extensionName\s+to\s+"((?:[^"\\]|\\.)*)"/.exec(body);
  if (/tell\s+application\s+"System Events"/.test(body) && nameMatch) {
    const name = appleScriptString(nameMatch[1]!);
    const approved = await approveByName(ctx.machine, name);
    if (approved === 0) {
      return fail(
        `execution error: System Events got an error: Can’t get checkbox "${name}" of window "Login Items & Extensions". Invalid index. (-1719)\n`,
      );
    }
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
