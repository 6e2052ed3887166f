// pmset on the guest: the power log, and scheduling a wake before sleeping.
import { type PmsetLog, parsePmsetLog } from '../parse/pmset-log.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export async function readPmsetLog(
  guest: GuestSession,
  options: { signal?: AbortSignal } = {},
): Promise<{ raw: string; log: PmsetLog }> {
  const { stdout } = await guest.exec(['pmset', '-g', 'log'], { signal: options.signal, timeoutMs: 60_000 });
  return { raw: stdout, log: parsePmsetLog(stdout) };
}

/** `pmset relative wake N`: silent, exit 0, root only. */
export async function scheduleRelativeWake(
  guest: GuestSession,
  seconds: number,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await guest.exec(['sudo', '-n', 'pmset', 'relative', 'wake', String(seconds)], { signal: options.signal });
}
