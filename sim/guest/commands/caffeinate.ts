// caffeinate [-dimsu] [-t seconds] [-w pid]: holds power assertions while it runs
// (approval-and-power-facts.md §8.1). It prints nothing on success; without -t, -w or a utility it
// runs until it is killed (here: until its channel closes), as real caffeinate's dispatch_main.
// The assertions change nothing in the model: a full wake is already awake, and under
// darkwake-only no assertion promotes the DarkWake (see boot.ts).
import { setTimeout as delay } from 'node:timers/promises';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

// [RECONSTRUCTED] usage text, from the man page's synopsis.
const USAGE = 'usage: caffeinate [-disu] [-t timeout] [-w Process ID] [command arguments...]\n';

async function caffeinate(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  let seconds: number | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) {
      // [RECONSTRUCTED] the utility form is not modelled by the sim.
      return fail(`caffeinate: running a utility is not simulated (got ${arg})\n`);
    }
    if (arg === '-t' || arg === '-w') {
      const value = args[i + 1];
      if (value === undefined || !/^\d+$/.test(value)) return fail(USAGE);
      if (arg === '-t') seconds = Number(value);
      i += 1;
      continue;
    }
    if (!/^-[dimsu]+$/.test(arg)) return fail(USAGE);
  }
  try {
    // -t counts on the modelled timeline (the sleeps and wakes it guards are scaled), so it is too.
    const waitMs = seconds === undefined ? 2 ** 31 - 1 : ctx.machine.scaledMs(seconds * 1000);
    await delay(waitMs, undefined, { signal: ctx.signal });
  } catch {
    return { exitCode: 130 };
  }
  return ok();
}

export const caffeinateCommands: CommandTable = { caffeinate };
