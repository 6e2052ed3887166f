// Check: `pmset -g log` shows an `Entering Sleep` line and a later wake since a guest timestamp,
// so a sleep/wake really happened (a VZ guest may print "Sleeping now..." and never sleep). And
// the judgements that make it a *full* wake (approval-and-power-facts.md §8.3): a full wake is
// domain `Wake` with V (video) in its capability bracket; a DarkWake lacks V and needs a later
// `DarkWake to FullWake` line; a later `Entering Sleep` (or DarkWake) means the guest left it.
import { CheckFailedError } from '../errors.ts';
import { readPmsetLog } from '../macos/pmset.ts';
import type { PmsetEvent } from '../parse/pmset-log.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export interface SleptAndWokeOptions {
  /** The guest's clock before the sleep was requested. */
  since: Date;
  check?: string;
  signal?: AbortSignal;
}

export interface SleepWakeEvidence {
  sleep: PmsetEvent;
  /** The first wake after the sleep: a full `Wake` or only a `DarkWake`. */
  wake: PmsetEvent;
}

const time = (e: PmsetEvent) => Date.parse(e.timestamp);

/** A wake with the display on: domain `Wake` and V in its capability bracket (`[CDNVA]`). */
export function isFullWake(event: PmsetEvent): boolean {
  if (event.kind !== 'wake') return false;
  const bracket = /\[([A-Z<> ]+)\]/.exec(event.message);
  return bracket !== null && bracket[1]!.includes('V');
}

/** The first sleep at or after `since` and the first wake (full or dark) after it, if both are there. */
export function findSleepWake(events: readonly PmsetEvent[], since: Date): Partial<SleepWakeEvidence> {
  // pmset prints whole seconds; `since` is cut to the second so that a sleep in the same second counts.
  const from = Math.floor(since.getTime() / 1000) * 1000;
  const sleep = events.find((e) => e.kind === 'sleep' && /Entering Sleep/.test(e.message) && time(e) >= from);
  if (!sleep) return {};
  const after = events.slice(events.indexOf(sleep) + 1);
  const wake = after.find((e) => (e.kind === 'wake' || e.kind === 'darkwake') && time(e) >= time(sleep));
  return wake ? { sleep, wake } : { sleep };
}

/** The `DarkWake to FullWake` line that promoted a DarkWake, if one came after it. */
export function findPromotion(events: readonly PmsetEvent[], wake: PmsetEvent): PmsetEvent | undefined {
  const index = events.indexOf(wake);
  return events.slice(index + 1).find((e) => isFullWake(e) && /^DarkWake to FullWake/.test(e.message));
}

/** The first line after `wake` that shows the guest left its wake: a new sleep, or a DarkWake. */
export function findAwakeBreak(events: readonly PmsetEvent[], wake: PmsetEvent): PmsetEvent | undefined {
  const index = events.indexOf(wake);
  return events
    .slice(index + 1)
    .find(
      (e) => (e.kind === 'sleep' && /^Entering (Sleep|DarkWake)/.test(e.message)) || e.kind === 'darkwake',
    );
}

/** The same event in a newer read of the log (events carry no ids: timestamp, domain and message match). */
export function sameEvent(events: readonly PmsetEvent[], event: PmsetEvent): PmsetEvent | undefined {
  return events.find(
    (e) => e.timestamp === event.timestamp && e.domain === event.domain && e.message === event.message,
  );
}

/** `<timestamp> <domain>: <message>` lines of the sleep, wake and DarkWake events from `from` on. */
export function powerLines(events: readonly PmsetEvent[], from?: PmsetEvent): string[] {
  const start = from ? Math.max(0, events.indexOf(from)) : 0;
  return events
    .slice(start)
    .filter((e) => e.kind !== 'other')
    .map((e) => `${e.timestamp} ${e.domain}: ${e.message}`);
}

export async function checkSleptAndWoke(
  guest: GuestSession,
  options: SleptAndWokeOptions,
): Promise<SleepWakeEvidence> {
  const { raw, log } = await readPmsetLog(guest, options);
  const found = findSleepWake(log.events, options.since);
  if (found.sleep && found.wake) return { sleep: found.sleep, wake: found.wake };
  const recent = powerLines(log.events).slice(-3);
  const instead = found.sleep
    ? `an Entering Sleep at ${found.sleep.timestamp} but no wake after it`
    : `no Entering Sleep line; last sleep/wake lines: ${recent.join(' | ') || 'none'}`;
  throw new CheckFailedError(
    options.check ?? 'slept-and-woke',
    `No sleep/wake since ${options.since.toISOString()} in \`pmset -g log\` on ${guest.target}: looked for an Entering Sleep line and a later Wake line, found ${instead}`,
    { 'pmset-g-log.txt': raw },
  );
}
