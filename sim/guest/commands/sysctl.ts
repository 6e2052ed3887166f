// sysctl: the few kernel values the harness reads (kern.boottime proves a resume was no new boot).
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';
import { strftime } from './basic.ts';

/** `{ sec = S, usec = U } <ctime>`: struct timeval as sysctl(8) prints it, then the date. */
function bootTime(ctx: CommandContext): string {
  const ms = ctx.machine.state.bootTime;
  const sec = Math.floor(ms / 1000);
  return `{ sec = ${sec}, usec = ${(ms - sec * 1000) * 1000} } ${strftime('%a %b %e %T %Y', new Date(ms))}`;
}

const VALUES: Record<string, (ctx: CommandContext) => string> = {
  'kern.boottime': bootTime,
  'kern.bootsessionuuid': (ctx) => ctx.machine.state.bootUuid,
};

async function sysctl(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  const valuesOnly = args.includes('-n');
  const names = args.filter((a) => !a.startsWith('-'));
  if (names.length === 0 || args.some((a) => a.startsWith('-') && a !== '-n')) {
    // [RECONSTRUCTED] abbreviated usage (only -n is modelled).
    return fail('usage: sysctl [-bdehiNnoqx] name[=value] ...\n       sysctl [-bdehNnoqx] -a\n');
  }
  let out = '';
  for (const name of names) {
    const value = VALUES[name];
    // [RECONSTRUCTED] sysctl's complaint about a name it does not know (only a few are modelled).
    if (!value) return fail(`sysctl: unknown oid '${name}'\n`, 1, out);
    out += valuesOnly ? `${value(ctx)}\n` : `${name}: ${value(ctx)}\n`;
  }
  return ok(out);
}

export const sysctlCommands: CommandTable = { sysctl };
