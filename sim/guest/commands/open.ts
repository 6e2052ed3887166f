// open -a APP / open PATH.app: returns at once; the app process starts in the background and
// sends its system extension activation requests (model/app-launch.ts).
import { posix } from 'node:path';
import { launchApp } from '../model/app-launch.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

async function findApp(ctx: CommandContext, name: string): Promise<string | undefined> {
  if (name.includes('/')) {
    const info = await ctx.fs.stat(name);
    return info?.isDirectory() ? ctx.fs.resolve(name).guest : undefined;
  }
  const bare = name.replace(/\.app$/, '');
  for (const dir of ['/Applications', '/System/Applications', '/Applications/Utilities']) {
    const candidate = posix.join(dir, `${bare}.app`);
    if ((await ctx.fs.stat(candidate))?.isDirectory()) return candidate;
  }
  return undefined;
}

async function open(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  let app: string | undefined;
  const files: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (arg === '-a') app = args[++k];
    else if (arg === '--args') break;
    else if (/^-[nFWRghjbe]+$/.test(arg)) continue;
    else files.push(arg);
  }
  let appPath: string | undefined;
  if (app !== undefined) {
    appPath = await findApp(ctx, app);
    if (!appPath) return fail(`Unable to find application named '${app}'\n`);
  } else {
    const target = files[0];
    if (target === undefined)
      return fail(
        'Usage: open [-e] [-t] [-f] [-W] [-R] [-n] [-g] [-h] [-s <partial SDK name>][-b <bundle identifier>] [-a <application>] [-u URL] [filenames] [--args arguments]\n',
      );
    const info = await ctx.fs.stat(target);
    if (!info) return fail(`The file ${ctx.fs.resolve(target).guest} does not exist.\n`);
    if (!target.replace(/\/$/, '').endsWith('.app')) return ok();
    appPath = ctx.fs.resolve(target).guest;
  }
  const path = appPath;
  // open(1) returns as soon as LaunchServices accepted the launch.
  ctx.machine.later(0, async () => {
    await launchApp(ctx.machine, path);
  });
  return ok();
}

export const openCommands: CommandTable = { open };
