// Check: `pmset -g log` shows an `Entering Sleep` line and a later wake since a guest timestamp,
// so a sleep/wake really happened (a VZ guest may print "Sleeping now..." and never sleep).
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
  wake: PmsetEvent;
}

/** The first sleep at or after `since` and the first wake after it, if both are there. */
export function findSleepWake(events: readonly PmsetEvent[], since: Date): Partial<SleepWakeEvidence> {
  // pmset prints whole seconds; `since` is cut to the second so that a sleep in the same second counts.
  const from = Math.floor(since.getTime() / 1000) * 1000;
  const sleep = events.find(
    (e) => e.kind === 'sleep' && /Entering Sleep/.test(e.message) && Date.parse(e.timestamp) >= from,
  );
  if (!sleep) return {};
  const after = events.slice(events.indexOf(sleep) + 1);
  const wake = after.find((e) => e.kind === 'wake' && Date.parse(e.timestamp) >= Date.parse(sleep.timestamp));
  return wake ? { sleep, wake } : { sleep };
}

export async function checkSleptAndWoke(
  guest: GuestSession,
  options: SleptAndWokeOptions,
): Promise<SleepWakeEvidence> {
  const { raw, log } = await readPmsetLog(guest, options);
  const found = findSleepWake(log.events, options.since);
  if (found.sleep && found.wake) return { sleep: found.sleep, wake: found.wake };
  const recent = log.events
    .filter((e) => e.kind === 'sleep' || e.kind === 'wake' || e.kind === 'darkwake')
    .slice(-3)
    .map((e) => `${e.timestamp} ${e.domain}: ${e.message}`);
  const instead = found.sleep
    ? `an Entering Sleep at ${found.sleep.timestamp} but no wake after it`
    : `no Entering Sleep line; last sleep/wake lines: ${recent.join(' | ') || 'none'}`;
  throw new CheckFailedError(
    options.check ?? 'slept-and-woke',
    `No sleep/wake since ${options.since.toISOString()} in \`pmset -g log\` on ${guest.target}: looked for an Entering Sleep line and a later Wake line, found ${instead}`,
    { 'pmset-g-log.txt': raw },
  );
}
