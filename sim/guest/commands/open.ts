// open -a APP / open PATH.app / open URL: returns at once; the app process starts in the
// background and sends its system extension activation requests (model/app-launch.ts). An app that
// is already running is only brought forward unless -n asks for a new instance. Before the GUI
// session exists LaunchServices refuses every launch (model/gui-session.ts).
import { posix } from 'node:path';
import { launchApp } from '../model/app-launch.ts';
import { hasGuiSession, NO_SESSION_ERROR } from '../model/gui-session.ts';
import { openSettingsUrl } from '../model/system-settings.ts';
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
  let newInstance = false;
  const files: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (arg === '-a') app = args[++k];
    else if (arg === '--args') break;
    else if (/^-[nFWRghjbe]+$/.test(arg)) newInstance ||= arg.includes('n');
    else files.push(arg);
  }
  // A URL (x-apple.systempreferences:...) goes to its handler; open(1) cannot tell whether the pane exists.
  const url = app === undefined && files[0] !== undefined && /^[a-z][a-z0-9+.-]*:/i.test(files[0]);
  // LaunchServices has no session to launch into yet (real-mac-review.md item 14); the text is
  // the one users report for -10810 (the -600 variant reads the same).
  const noSession = (subject: string) =>
    fail(`LSOpenURLsWithRole() failed with error ${NO_SESSION_ERROR} for ${subject}.\n`);
  if (url) {
    if (!hasGuiSession(ctx.machine.state)) return noSession(`the URL ${files[0]}`);
    if (files[0]!.startsWith('x-apple.systempreferences:')) openSettingsUrl(ctx.machine, files[0]!);
    return ok();
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
  if (!hasGuiSession(ctx.machine.state)) return noSession(`the file ${path}`);
  // open(1) returns as soon as LaunchServices accepted the launch.
  ctx.machine.later(0, async () => {
    await launchApp(ctx.machine, path, { newInstance });
  });
  return ok();
}

export const openCommands: CommandTable = { open };
