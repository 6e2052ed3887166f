// The guest's clock: read it to timestamp what a check looks at since, and set it after a host-side
// suspend left it behind (Cirrus CLI's method: `sudo -n date -u MMDDhhmmYYYY.ss`, tart-cli.md §4).
import type { GuestSession } from '../ssh/guest-session.ts';
import { shellCommand } from '../ssh/shell-quote.ts';

export interface GuestTime {
  /** The guest's clock as a Date (from `date -u +%s`). */
  at: Date;
  /** The guest's local wall time as `log show --start` takes it: `YYYY-MM-DD HH:MM:SS`. */
  logStart: string;
}

/** The two `date` commands a GuestTime is read from: readGuestTime's, and a batch's that reads the time too. */
export const guestTimeCommands: readonly (readonly string[])[] = [
  ['date', '-u', '+%s'],
  ['date', '+%Y-%m-%d %H:%M:%S'],
];

export async function readGuestTime(
  guest: GuestSession,
  options: { signal?: AbortSignal } = {},
): Promise<GuestTime> {
  // One exec of both, joined as a shell line: "date -u +%s; date '+%Y-%m-%d %H:%M:%S'".
  const { stdout } = await guest.exec(guestTimeCommands.map(shellCommand).join('; '), {
    signal: options.signal,
  });
  const [epoch = '', local = ''] = stdout.trim().split('\n');
  return guestTimeFrom(epoch, local, guest.target);
}

/** A GuestTime from the outputs of guestTimeCommands. */
export function guestTimeFrom(epoch: string, local: string, target: string): GuestTime {
  const seconds = Number(epoch.trim());
  const wall = local.trim();
  if (
    !/^\d+$/.test(epoch.trim()) ||
    !Number.isInteger(seconds) ||
    !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(wall)
  ) {
    throw new Error(
      `Unexpected guest clock from \`date\` on ${target}: ${JSON.stringify(`${epoch}\n${local}`)}`,
    );
  }
  return { at: new Date(seconds * 1000), logStart: wall };
}

/** `MMDDhhmmYYYY.ss` in UTC, the form `date -u` sets the clock from. */
export function dateSetArgument(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}${two(at.getUTCHours())}${two(at.getUTCMinutes())}${at.getUTCFullYear()}.${two(at.getUTCSeconds())}`;
}

/**
 * Sets the guest's clock to `at` rounded up to the whole second `date` takes, and returns that time.
 * Up, never down: a clock stepped back could stamp a line logged after the step with the time of
 * one logged before it, and a check that skips lines it already counted (flows-seen.ts) would then
 * skip the new one too.
 */
export async function setGuestClock(
  guest: GuestSession,
  at: Date,
  options: { signal?: AbortSignal } = {},
): Promise<Date> {
  const whole = new Date(Math.ceil(at.getTime() / 1000) * 1000);
  await guest.exec(['sudo', '-n', 'date', '-u', dateSetArgument(whole)], {
    signal: options.signal,
    timeoutMs: 30_000,
  });
  return whole;
}
