// `log config` (approval-and-power-facts §7): `--subsystem <id> --mode "level:debug,persist:debug"`
// records the subsystem's profile, `--reset` removes it, `--status` reads the mode back. Apple's
// documentation asks for root, nothing more: the profiles live in /Library, outside SIP's reach.
import type { CommandContext, CommandResult } from '../shell/types.ts';
import { fail, ok } from '../shell/types.ts';
import {
  DEFAULT_MODE,
  PROFILES_DIR,
  parseMode,
  profileGuestPath,
  profileText,
  statusWords,
} from './profiles.ts';

// [RECONSTRUCTED] log's refusal for a caller that is not root (the same wording log gives for stream/erase).
const NOT_ROOT = "log: Must be admin to run 'config' command\n";

// [RECONSTRUCTED] the usage of `log config` (the real help is longer).
const CONFIG_USAGE =
  "usage:\n    log config [options] --mode <mode> | --status | --reset\n\noptions:\n    --subsystem <name>   set, reset or show the mode of a subsystem\n    --mode <mode>        level:{off|default|info|debug}, persist:{off|default|info|debug}\n    --status             show the current mode\n    --reset              remove the subsystem's settings\n";

interface ConfigRequest {
  subsystem?: string;
  mode?: string;
  status: boolean;
  reset: boolean;
}

function parseConfigArgs(args: string[]): ConfigRequest | string {
  const request: ConfigRequest = { status: false, reset: false };
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (arg === '--subsystem' || arg === '--mode') {
      const value = args[++k];
      if (value === undefined || value === '') return `log: Missing value for ${arg}\n${CONFIG_USAGE}`;
      if (arg === '--subsystem') request.subsystem = value;
      else request.mode = value;
    } else if (arg === '--status') request.status = true;
    else if (arg === '--reset') request.reset = true;
    // Categories and processes are real options the sim does not model.
    else return `log: Unknown option: ${arg}\n${CONFIG_USAGE}`;
  }
  const actions = [request.mode !== undefined, request.status, request.reset].filter(Boolean).length;
  if (actions !== 1) return CONFIG_USAGE;
  if (request.reset && !request.subsystem) return CONFIG_USAGE;
  return request;
}

export async function logConfig(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  const request = parseConfigArgs(args);
  if (typeof request === 'string') return fail(request, 64);
  if (ctx.user.uid !== 0) return fail(NOT_ROOT, 1);
  const log = ctx.machine.log;
  if (request.status) {
    if (!request.subsystem) return ok(`System mode = ${DEFAULT_MODE.level.toUpperCase()}\n`);
    // Two spaces before the words, as in published `--status` output.
    return ok(`Mode for '${request.subsystem}'  ${statusWords(await log.modeOf(request.subsystem))}\n`);
  }
  // [RECONSTRUCTED] a system-wide --mode is not modelled; the harness only ever sets a subsystem.
  if (!request.subsystem) return fail(`log: Setting the system mode is not simulated\n`, 1);
  const path = profileGuestPath(request.subsystem);
  if (request.reset) {
    await ctx.fs.remove(path).catch(() => {});
    await log.setMode(request.subsystem, undefined);
    return ok();
  }
  const parsed = parseMode(request.mode ?? '');
  // [RECONSTRUCTED] log's message for a mode it cannot read.
  if ('invalid' in parsed) return fail(`log: Invalid mode: ${parsed.invalid}\n${CONFIG_USAGE}`, 64);
  const mode = { ...(await log.modeOf(request.subsystem)), ...parsed };
  await ctx.fs.mkdir(PROFILES_DIR, { parents: true });
  await ctx.fs.writeFile(path, profileText(mode));
  await log.setMode(request.subsystem, mode);
  // [RECONSTRUCTED] what log prints after --mode is unknown (facts §7); it says nothing here, so a
  // caller has to read the mode back with --status.
  return ok();
}
