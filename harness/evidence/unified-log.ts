// The unified log since the iteration began, as ndjson (parseUnifiedLog reads it back): sysextd,
// nesessionmanager, the NetworkExtension subsystem, the extensions' own processes, and whatever
// the scenario adds.

import { logShowArgv } from '../macos/unified-log.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import type { EvidenceCollector, EvidenceContext, EvidenceFile } from './collector.ts';
import { commandToFile } from './guest-files.ts';

export const baseLogPredicates = [
  'process == "sysextd"',
  'process == "nesessionmanager"',
  'subsystem == "com.apple.networkextension"',
] as const;

/** One predicate that ORs the base clauses, the extensions' processes and subsystems, and extras. */
export function logPredicate(extensions: readonly string[], extra: readonly string[]): string {
  const clauses: string[] = [...baseLogPredicates];
  for (const bundleId of extensions) {
    // An extension's executable is named after its bundle id (contracts-v2: com.example.sxl.app.proxy).
    clauses.push(`process == ${literal(bundleId)}`, `subsystem == ${literal(bundleId)}`);
  }
  for (const predicate of extra) clauses.push(`(${predicate})`);
  return clauses.join(' OR ');
}

function literal(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** `YYYY-MM-DD HH:MM:SS` in the guest's local time, which is how `log show --start` reads it. */
export function formatLogStart(since: Date, utcOffsetMinutes: number): string {
  const local = new Date(since.getTime() + utcOffsetMinutes * 60_000);
  return local.toISOString().slice(0, 19).replace('T', ' ');
}

/** Parses `date +%z` (e.g. `-0500`) into minutes east of UTC. */
export async function guestUtcOffsetMinutes(guest: GuestSession, signal: AbortSignal): Promise<number> {
  const text = (await guest.exec(['date', '+%z'], { signal })).stdout.trim();
  const match = /^([+-])(\d\d)(\d\d)$/.exec(text);
  if (!match) throw new Error(`Unreadable guest time zone offset: date +%z printed "${text}"`);
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

export function unifiedLogCollector(): EvidenceCollector {
  return {
    name: 'unified-log',
    async collect(ctx: EvidenceContext): Promise<EvidenceFile[]> {
      const offset = await guestUtcOffsetMinutes(ctx.guest, ctx.signal);
      const argv = logShowArgv({
        start: formatLogStart(ctx.since, offset),
        predicate: logPredicate(ctx.extensions, ctx.predicates),
      });
      return [await commandToFile(ctx, argv, 'unified-log.ndjson')];
    },
  };
}
