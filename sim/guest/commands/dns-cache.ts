// `dscacheutil -flushcache` and `killall -HUP mDNSResponder`: Apple's documented way to flush the
// resolver cache (both as root). Only mDNSResponder's HUP empties the model's cache
// (model/dns-cache.ts). killall knows no other process here: Reconstructed, the model keeps no
// daemon list, so any other name is "No matching processes were found".
import { flushDnsCache } from '../model/dns-cache.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

// [RECONSTRUCTED] abbreviated usage texts.
const DSCACHEUTIL_USAGE = 'Usage: dscacheutil -h\n       dscacheutil -flushcache\n';
const KILLALL_USAGE =
  'usage: killall [-delmsvz] [-help] [-I] [-u user] [-t tty] [-c cmd] [-SIGNAL] [cmd]...\n';

async function dscacheutil(ctx: CommandContext) {
  if (ctx.argv[1] !== '-flushcache') return fail(DSCACHEUTIL_USAGE, 64);
  return ok();
}

async function killall(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  const signal = args[0]?.startsWith('-') ? args.shift() : '-TERM';
  const [name] = args;
  if (!name || args.length > 1) return fail(KILLALL_USAGE, 2);
  if (name !== 'mDNSResponder') return fail('No matching processes were found\n', 1);
  // killall(1): a process of another user cannot be signalled by a non-root caller.
  if (ctx.user.uid !== 0) return fail('No matching processes belonging to you were found\n', 1);
  // A HUP makes mDNSResponder drop its cache; any other signal ends it and launchd restarts it afresh.
  if (signal !== '-0') await ctx.machine.mutate(async (state) => flushDnsCache(state));
  return ok();
}

export const dnsCacheCommands: CommandTable = { dscacheutil, killall };
