// caffeinate [-dimsu] [-t seconds] [-w pid]: holds power assertions while it runs
// (approval-and-power-facts.md §8.1). It prints nothing on success; without -t, -w or a utility it
// runs until it is killed (here: until its channel closes), as real caffeinate's dispatch_main.
// Its assertions show in `pmset -g assertions` while it runs, and change nothing else in the model: a
// full wake is already awake, and under darkwake-only no assertion promotes the DarkWake (boot.ts).
import { setTimeout as delay } from 'node:timers/promises';
import { type AssertionType, holdAssertions } from '../model/power-assertions.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

const FLAG_TYPES: Record<string, AssertionType> = {
  d: 'PreventUserIdleDisplaySleep',
  i: 'PreventUserIdleSystemSleep',
  m: 'PreventDiskIdle',
  s: 'PreventSystemSleep',
  u: 'UserIsActive',
};
// caffeinate.c: without -t, a -u assertion still times out after 5 s.
const USER_ACTIVE_DEFAULT_SECONDS = 5;

// [RECONSTRUCTED] usage text, from the man page's synopsis.
const USAGE = 'usage: caffeinate [-disu] [-t timeout] [-w Process ID] [command arguments...]\n';

async function caffeinate(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  let seconds: number | undefined;
  const types = new Set<AssertionType>();
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
    for (const letter of arg.slice(1)) types.add(FLAG_TYPES[letter]!);
  }
  // No flag: caffeinate asserts PreventUserIdleSystemSleep.
  if (types.size === 0) types.add('PreventUserIdleSystemSleep');
  const machine = ctx.machine;
  const pid = await machine.mutate(() => machine.allocPid());
  const now = machine.now().getTime();
  const release = holdAssertions(
    machine,
    [...types].map((type) => {
      const timeout = type === 'UserIsActive' ? (seconds ?? USER_ACTIVE_DEFAULT_SECONDS) : seconds;
      return {
        pid,
        process: 'caffeinate',
        type,
        name: 'caffeinate command-line tool',
        details:
          seconds === undefined ? 'caffeinate asserting forever' : `caffeinate asserting for ${seconds} secs`,
        ...(timeout === undefined ? {} : { releaseAt: now + timeout * 1000 }),
      };
    }),
  );
  try {
    // -t counts on the modelled timeline (the sleeps and wakes it guards are scaled), so it is too.
    const waitMs = seconds === undefined ? 2 ** 31 - 1 : ctx.machine.scaledMs(seconds * 1000);
    await delay(waitMs, undefined, { signal: ctx.signal });
  } catch {
    return { exitCode: 130 };
  } finally {
    release();
  }
  return ok();
}

export const caffeinateCommands: CommandTable = { caffeinate };
