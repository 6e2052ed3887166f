// Check (forum report 2): the transparent proxy's provider still gets flows. Generate traffic in the
// guest (curl), then find the provider's flow lines in the unified log since a timestamp; retry
// traffic + look-up until the deadline, because log lines land a moment after the flow.
// Vendors log flows at Info or Debug, which reach `log show` only while the subsystem's logging is
// persisted (macos/log-config.ts); before a miss counts as a failure, the check reads that back, and
// a lost setting is a LogPersistenceError (the harness cannot see the flows), never a failed check.
import { delay } from '../abort.ts';
import { CheckFailedError } from '../errors.ts';
import type { BundleInfo } from '../macos/bundle-info.ts';
import { type LogPersistence, verifyLogPersistence } from '../macos/log-config.ts';
import { curlStatus, trafficDefaults } from '../macos/traffic.ts';
import { predicateString, showUnifiedLog } from '../macos/unified-log.ts';
import type { UnifiedLogEntry } from '../parse/unified-log.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export interface FlowsSeenOptions {
  /** Guest-local `YYYY-MM-DD HH:MM:SS` (readGuestTime().logStart): only lines from then on count. */
  since: string;
  /** Flow lines needed. @default 1 */
  min?: number;
  /** How long traffic and look-ups may go on. @default 30000 */
  deadlineMs?: number;
  /** What curl fetches. @default trafficDefaults.url */
  url?: string;
  /** `log show` predicate; vendors log differently. @default the extension's process and handleNewFlow */
  predicate?: string;
  /**
   * Lines an earlier check already counted: `since` has whole seconds, so lines from just before a
   * fast sleep/wake can fall in the same second and must not count again.
   */
  seen?: readonly UnifiedLogEntry[];
  /**
   * The provider's logging persistence (persistSubsystemLogging's result): verified again before a
   * miss is reported, and kept as evidence with it.
   */
  logging?: Pick<LogPersistence, 'subsystem' | 'level'>;
  /** Pause between rounds. @default 500 */
  pollMs?: number;
  check?: string;
  signal?: AbortSignal;
}

export const flowsSeenDefaults = { min: 1, deadlineMs: 30_000, pollMs: 500 } as const;

/** `process == "<executable>" AND eventMessage CONTAINS "handleNewFlow"`. */
export function defaultFlowPredicate(extension: BundleInfo): string {
  return `process == ${predicateString(extension.executable ?? extension.bundleId)} AND eventMessage CONTAINS "handleNewFlow"`;
}

export async function checkFlowsSeen(
  guest: GuestSession,
  extension: BundleInfo,
  options: FlowsSeenOptions,
): Promise<UnifiedLogEntry[]> {
  const min = options.min ?? flowsSeenDefaults.min;
  const deadlineMs = options.deadlineMs ?? flowsSeenDefaults.deadlineMs;
  const predicate = options.predicate ?? defaultFlowPredicate(extension);
  const url = options.url ?? trafficDefaults.url;
  const started = performance.now();
  const codes: string[] = [];
  let raw = '';
  let command = '';
  let found = 0;
  const key = (e: UnifiedLogEntry) => `${e.timestamp}\0${e.pid}\0${e.message}`;
  const seen = new Set((options.seen ?? []).map(key));
  for (;;) {
    codes.push(await curlStatus(guest, url, { signal: options.signal }));
    const log = await showUnifiedLog(guest, { predicate, start: options.since, signal: options.signal });
    raw = log.raw;
    command = log.command;
    const fresh = log.entries.filter((e) => !seen.has(key(e)));
    found = fresh.length;
    if (found >= min) return fresh;
    if (performance.now() - started >= deadlineMs) break;
    await delay(options.pollMs ?? flowsSeenDefaults.pollMs, options.signal);
  }
  const logging = options.logging
    ? await verifyLogPersistence(guest, options.logging.subsystem, {
        level: options.logging.level,
        signal: options.signal,
      })
    : undefined;
  throw new CheckFailedError(
    options.check ?? 'flows-seen',
    `No flows: looked for ${min} line(s) matching '${predicate}' in the unified log of ${guest.target} since ${options.since} for ${deadlineMs} ms while curl fetched ${url} ${codes.length} time(s) (HTTP ${[...new Set(codes)].join(', ')}); found ${found}${seen.size > 0 ? ` new (${seen.size} seen before were not counted)` : ''}${logging ? `; ${logging.subsystem} persists ${logging.level} messages (${logging.mode.words.join(' ')})` : ''}`,
    {
      'log-show-flows.txt': `$ ${command}\n${raw}`,
      'curl-codes.txt': `${codes.join('\n')}\n`,
      ...(logging ? { 'log-config.txt': logging.transcript } : {}),
    },
  );
}
