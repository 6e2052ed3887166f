// pmset: sleepnow, relative wake, schedule, -g log / sched / assertions (macos-outputs §3).
import { heldAssertions } from '../model/power-assertions.ts';
import { pendingWakes, scheduleWake } from '../model/power-events.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';
import type { PmsetLogEntry } from '../state.ts';
import { strftime } from './basic.ts';

// pmset.m's refusal of a scheduling call without privilege (approval-and-power-facts §8.2).
const NOT_ROOT = 'pmset: This operation must be run as root\n';
// [RECONSTRUCTED] abbreviated usage (the real one lists every setting).
const USAGE =
  "Usage: pmset <options>\nSee pmset(1) for details: 'man pmset'\n  pmset schedule [cancel | cancelall] type date+time [owner]\n  pmset relative [wake | poweron] seconds\n  pmset [touch | sleepnow | displaysleepnow | boot]\n  pmset -g [log | sched | assertions]\n";

const stamp = (ms: number) => strftime('%Y-%m-%d %H:%M:%S +0000', new Date(ms));

/** One `pmset -g log` event row: 20-wide domain, TAB, 75-wide message, TAB, 10-wide duration. */
export function formatPmsetEvent(e: PmsetLogEntry): string {
  const duration = e.durationSecs === undefined ? '' : `${e.durationSecs} secs`;
  return `${stamp(e.time)} ${e.domain.padEnd(20)}\t${e.message.padEnd(75)}\t${duration.padEnd(10)}\n`;
}

function formatPmsetLog(ctx: CommandContext): string {
  const state = ctx.machine.state;
  const events = state.pmsetLog ?? [];
  const sinceBoot = events.filter(
    (e) => e.time >= state.bootTime && (e.domain === 'Sleep' || e.domain === 'Wake'),
  );
  // DarkWakes since the last full wake (or boot): what the header calls this sleep cycle.
  const lastFull = events.findLastIndex(
    (e) => e.domain === 'Wake' || (e.domain === 'Start' && e.time >= state.bootTime),
  );
  const darkWakes = events
    .slice(lastFull + 1)
    .filter((e) => e.domain === 'DarkWake' && e.time >= state.bootTime).length;
  let out = `Sleep/Wakes since boot at ${stamp(state.bootTime)} :${sinceBoot.filter((e) => e.domain === 'Sleep').length}   Dark Wake Count in this sleep cycle:${darkWakes}\n\n`;
  out += `${'Time stamp'.padEnd(26)}${'Domain'.padEnd(20)}\t${'Message'.padEnd(75)}\t${'Duration'.padEnd(10)}\t${'Delay'.padEnd(10)}\n`;
  out += `${'=========='.padEnd(26)}${'======'.padEnd(20)}\t${'======='.padEnd(75)}\t${'========'.padEnd(10)}\t${'====='.padEnd(10)}\n`;
  out += `UUID: ${state.bootUuid}\n`;
  for (const e of events) out += formatPmsetEvent(e);
  // [RECONSTRUCTED] the totals block that ends the real output.
  out += `\nTotal Sleep/Wakes since boot:${sinceBoot.filter((e) => e.domain === 'Sleep').length}\n`;
  return out;
}

function formatSched(ctx: CommandContext): string {
  const wakes = pendingWakes(ctx.machine);
  // [RECONSTRUCTED] nothing at all is printed when no event is scheduled.
  if (wakes.length === 0) return '';
  let out = 'Scheduled power events:\n';
  wakes.forEach((w, k) => {
    out += ` [${k}]  wake at ${strftime('%m/%d/%Y %H:%M:%S', new Date(w.at))} by '${w.owner}'\n`;
  });
  return out;
}

const SYSTEM_WIDE = [
  'BackgroundTask',
  'ApplePushServiceTask',
  'UserIsActive',
  'PreventUserIdleDisplaySleep',
  'PreventSystemSleep',
  'ExternalMedia',
  'PreventUserIdleSystemSleep',
  'NetworkClientActive',
] as const;

const age = (ms: number) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
};

/** macos-outputs §3.2; the assertions that running caffeinate processes hold are listed too. */
function formatAssertions(ctx: CommandContext): string {
  const now = ctx.machine.now();
  const held = heldAssertions(ctx.machine);
  let out = `${strftime('%Y-%m-%d %H:%M:%S +0000', now)} \nAssertion status system-wide:\n`;
  for (const type of SYSTEM_WIDE) {
    const level = held.some((a) => a.type === type) ? 1 : 0;
    out += `   ${type.padEnd(31)}${level}\n`;
  }
  out += 'Listed by owning process:\n';
  out +=
    '   pid 97(configd): [0x0000000100000011] 00:00:00 BackgroundTask named: "com.apple.configd.idle"  \n';
  for (const a of held) {
    out += `   pid ${a.pid}(${a.process}): [0x${a.id.toString(16).padStart(16, '0')}] ${age(now.getTime() - a.createdAt)} ${a.type} named: "${a.name}"  \n`;
    // [RECONSTRUCTED] detail lines as real caffeinate assertions show them (TAB-indented).
    out += `\tDetails: ${a.details}\n\tLocalized=THE CAFFEINATE TOOL IS PREVENTING SLEEP.\n`;
    if (a.releaseAt !== undefined)
      out += `\tTimeout will fire in ${Math.max(0, Math.round((a.releaseAt - now.getTime()) / 1000))} secs Action=TimeoutActionRelease\n`;
  }
  out += 'Kernel Assertions: 0x0\nIdle sleep preventers: IODisplayWrangler\n';
  return out;
}

/** `MM/dd/yy HH:mm:ss` in the guest's zone (UTC), as pmset schedule takes it. */
function parseScheduleDate(text: string): number | undefined {
  const m = /^(\d\d)\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(text);
  if (!m) return undefined;
  const [, mo, d, y, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(2000 + y, mo - 1, d, h, mi, s);
  return Number.isNaN(ms) ? undefined : ms;
}

async function pmset(ctx: CommandContext) {
  const [, first, ...rest] = ctx.argv;
  const machine = ctx.machine;
  const root = ctx.user.uid === 0;
  switch (first) {
    case 'sleepnow': {
      const pid = await machine.mutate(() => machine.allocPid());
      ctx.afterReply(() => machine.power.sleep(pid));
      return ok('Sleeping now...\n');
    }
    case 'relative': {
      const [type, seconds] = rest;
      if ((type !== 'wake' && type !== 'poweron') || !/^\d+$/.test(seconds ?? '')) return fail(USAGE);
      if (!root) return fail(NOT_ROOT);
      // A relative time of 0 fails like any other scheduling error (pmset.m).
      if (Number(seconds) <= 0) return fail('pmset: Error in scheduling operation\n');
      // Counted from the end of the next sleep, by the kernel: nothing for powerd to list.
      await machine.mutate((state) => {
        state.relativeWakeSeconds = Number(seconds);
      });
      return ok();
    }
    case 'schedule': {
      if (!root) return fail(NOT_ROOT);
      if (rest[0] === 'cancelall') {
        await machine.mutate((state) => {
          state.scheduledWakes = [];
        });
        return ok();
      }
      const [type, when, owner] = rest;
      if (type !== 'wake' && type !== 'poweron') return fail(USAGE);
      const at = when === undefined ? undefined : parseScheduleDate(when);
      // [RECONSTRUCTED] pmset's complaint about a date it cannot read.
      if (at === undefined) return fail(`Error: Badly formatted date ${when ?? ''}\n${USAGE}`);
      await machine.mutate((state) => scheduleWake(state, { at, owner: owner ?? 'pmset' }));
      return ok();
    }
    case '-g': {
      const what = rest[0];
      if (what === 'log') return ok(formatPmsetLog(ctx));
      if (what === 'sched') return ok(formatSched(ctx));
      if (what === 'assertions') return ok(formatAssertions(ctx));
      return fail(USAGE);
    }
    default:
      return fail(USAGE);
  }
}

export const pmsetCommands: CommandTable = { pmset };
