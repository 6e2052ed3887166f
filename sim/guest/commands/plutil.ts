// plutil -convert json -o - FILE (compact JSON and a newline), plutil -p FILE, and plutil -replace
// KEYPATH -string|-bool|-integer VALUE FILE (prints nothing; keypath components split at dots,
// array items by index). /Library/SystemExtensions/db.plist is sysextd's (model/sysextd-db.ts).
import { PlistError } from '../errors.ts';
import { DB_PLIST, syncDbPlist } from '../model/sysextd-db.ts';
import {
  isDict,
  PlistJsonError,
  type PlistValue,
  parsePlist,
  toCompactJson,
  toPrettyText,
  toXmlPlist,
} from '../plist.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

const USAGE =
  "plutil: [command_option] [other_options] file...\nThe file '-' means stdin\nCommand options are (-lint is the default):\n -help                         show this message and exit\n -lint                         check the property list files for syntax errors\n -convert fmt                  rewrite property list files in format\n                               fmt is one of: xml1 binary1 json swift objc\n -p                            print property list in a human-readable fashion\n";

async function load(ctx: CommandContext, file: string) {
  let text: string;
  if (file !== '-' && ctx.fs.resolve(file).guest === DB_PLIST) await syncDbPlist(ctx.machine);
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
  if (args[0] === '-replace' && args.length === 5)
    return replace(ctx, args[1]!, args[2]!, args[3]!, args[4]!);
  if (args[0] === '-lint' || (args.length === 1 && !args[0]?.startsWith('-'))) {
    const file = args[args.length - 1]!;
    const loaded = await load(ctx, file);
    if (typeof loaded === 'string') return fail(loaded);
    return ok(`${file}: OK\n`);
  }
  return fail(USAGE);
}

function typed(type: string, text: string): PlistValue | undefined {
  if (type === '-string') return text;
  if (type === '-bool')
    return text === 'YES' || text === 'true' ? true : text === 'NO' || text === 'false' ? false : undefined;
  if (type === '-integer') return /^-?\d+$/.test(text) ? Number(text) : undefined;
  return undefined;
}

/** `plutil -replace keypath -type value file`: sets the value, creating the last key if missing. */
async function replace(ctx: CommandContext, keyPath: string, type: string, text: string, file: string) {
  const value = typed(type, text);
  if (value === undefined) return fail(USAGE);
  const loaded = await load(ctx, file);
  if (typeof loaded === 'string') return fail(loaded);
  const keys = keyPath.split('.');
  let node: PlistValue = loaded.value;
  for (const key of keys.slice(0, -1)) {
    const next: PlistValue | undefined = Array.isArray(node)
      ? node[Number(key)]
      : isDict(node)
        ? node[key]
        : undefined;
    // [RECONSTRUCTED] plutil's wording for a keypath that leads nowhere.
    if (next === undefined)
      return fail(
        `Could not modify plist, error: No value at that key path or invalid key path: ${keyPath}\n`,
      );
    node = next;
  }
  const last = keys[keys.length - 1]!;
  if (Array.isArray(node)) {
    const index = Number(last);
    if (!(index >= 0 && index < node.length))
      return fail(
        `Could not modify plist, error: No value at that key path or invalid key path: ${keyPath}\n`,
      );
    node[index] = value;
  } else if (isDict(node)) node[last] = value;
  else
    return fail(`Could not modify plist, error: No value at that key path or invalid key path: ${keyPath}\n`);
  try {
    await ctx.fs.writeFile(file, toXmlPlist(loaded.value));
  } catch (error) {
    return fail(`${file}: ${(error as Error).message}\n`);
  }
  return ok();
}

export const plutilCommands: CommandTable = { plutil };
