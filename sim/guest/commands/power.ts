// shutdown, halt, reboot: reply first (exit 0), then the guest goes down (boot.ts does the rest).
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

async function shutdown(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  if (ctx.user.uid !== 0) return fail('shutdown: NOT super-user\n');
  const mode = args.find((a) => /^-[hrs]$/.test(a));
  const when = args.find((a) => !a.startsWith('-'));
  if (!mode || when === undefined) {
    return fail('usage: shutdown [-] [-h [-u] [-n] | -r [-n] | -s | -k] time [warning-message ...]\n');
  }
  if (when !== 'now' && when !== '+0' && when !== '0') {
    // [RECONSTRUCTED] scheduled shutdowns are not modelled.
    return fail(`shutdown: only "now" is supported by the sim (got ${when})\n`);
  }
  const power = ctx.machine.power;
  ctx.afterReply(() => (mode === '-r' ? power.reboot() : power.powerOff()));
  return ok();
}

function direct(action: 'powerOff' | 'reboot') {
  return async (ctx: CommandContext) => {
    // reboot(8) and halt(8) refuse non-root callers with EPERM.
    if (ctx.user.uid !== 0) return fail(`${ctx.argv[0]?.split('/').pop()}: Operation not permitted\n`);
    const power = ctx.machine.power;
    ctx.afterReply(() => power[action]());
    return ok();
  };
}

export const powerCommands: CommandTable = { shutdown, halt: direct('powerOff'), reboot: direct('reboot') };
