// plutil -convert json -o - FILE (compact JSON and a newline) and plutil -p FILE.
import { PlistError } from '../errors.ts';
import { PlistJsonError, parsePlist, toCompactJson, toPrettyText } from '../plist.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

const USAGE =
  "plutil: [command_option] [other_options] file...\nThe file '-' means stdin\nCommand options are (-lint is the default):\n -help                         show this message and exit\n -lint                         check the property list files for syntax errors\n -convert fmt                  rewrite property list files in format\n                               fmt is one of: xml1 binary1 json swift objc\n -p                            print property list in a human-readable fashion\n";

async function load(ctx: CommandContext, file: string) {
  let text: string;
  if (file === '-') text = (await ctx.stdin()).toString('utf8');
  else {
    const info = await ctx.fs.stat(file);
    if (!info?.isFile())
      return `${file}: file does not exist or is not readable or is not a regular file (Error Domain=NSCocoaErrorDomain Code=260 "The file “${file.split('/').pop()}” couldn’t be opened because there is no such file." UserInfo={NSFilePath=${file}, NSUnderlyingError=0x600000c3c0c0 {Error Domain=NSPOSIXErrorDomain Code=2 "No such file or directory"}})\n`;
    text = (await ctx.fs.readFile(file)).toString('utf8');
  }
  try {
    return { value: parsePlist(text, file) };
  } catch (error) {
    if (!(error instanceof PlistError)) throw error;
    // [RECONSTRUCTED] plutil's parse failure line; the reason is ours.
    return `${file}: Property List error: Encountered unknown tag or malformed data (${error.message.split(':')[0]}) / JSON error: JSON text did not start with array or object and option to allow fragments not set.\n`;
  }
}

async function plutil(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  if (args[0] === '-p' && args[1] !== undefined) {
    const loaded = await load(ctx, args[1]);
    if (typeof loaded === 'string') return fail(loaded);
    return ok(`${toPrettyText(loaded.value)}\n`);
  }
  if (
    args[0] === '-convert' &&
    args[1] === 'json' &&
    args[2] === '-o' &&
    args[3] === '-' &&
    args[4] !== undefined
  ) {
    const loaded = await load(ctx, args[4]);
    if (typeof loaded === 'string') return fail(loaded);
    try {
      return ok(`${toCompactJson(loaded.value)}\n`);
    } catch (error) {
      if (!(error instanceof PlistJsonError)) throw error;
      return fail(`${args[4]}: ${error.message}\n`);
    }
  }
  if (args[0] === '-lint' || (args.length === 1 && !args[0]?.startsWith('-'))) {
    const file = args[args.length - 1]!;
    const loaded = await load(ctx, file);
    if (typeof loaded === 'string') return fail(loaded);
    return ok(`${file}: OK\n`);
  }
  return fail(USAGE);
}

export const plutilCommands: CommandTable = { plutil };
