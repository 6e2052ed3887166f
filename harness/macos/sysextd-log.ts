// What macOS itself says about an activation: sysextd's lines (and OSSystemExtensionErrorDomain
// errors of the requesting app) in the unified log. Only these decide that an activation failed;
// a state that is merely not reached yet is the harness's problem (a typed error), never a `fail`.

import type { SystemExtension } from '../parse/systemextensions-list.ts';
import { retryUntil } from '../retry.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import { type ExtensionVersion, findExtension, readSystemExtensions } from './system-extensions.ts';
import { type LogShowResult, showUnifiedLog } from './unified-log.ts';

/** sysextd, plus any process's OSSystemExtensionErrorDomain error (the app's side of a refusal). */
export const SYSEXTD_PREDICATE =
  'process == "sysextd" OR eventMessage CONTAINS "OSSystemExtensionErrorDomain"';

/**
 * sysextd refusing or failing a request (macos-outputs.md §4.5 and §7): the location policy, a
 * missing or invalid extension, a failed category check, a failed validation.
 */
export const REFUSAL =
  /no policy|cannot allow apps outside|Extension not found in App bundle|failed category property check|failed to validate|uninstalling invalid extension|no valid code signature|OSSystemExtensionErrorDomain/;

export async function readSysextdLog(
  guest: GuestSession,
  options: { start: string; signal?: AbortSignal },
): Promise<LogShowResult> {
  return showUnifiedLog(guest, {
    predicate: SYSEXTD_PREDICATE,
    start: options.start,
    signal: options.signal,
  });
}

/** The lines of `log` that refuse or fail an activation. */
export function refusalLines(log: LogShowResult, pattern: RegExp = REFUSAL): string[] {
  return log.entries
    .filter((e) => pattern.test(e.message))
    .map((e) => `${e.timestamp} ${e.process}: ${e.message}`);
}

/** How many `client activation request for <id>` lines sysextd logged (macos-outputs.md §4.5). */
export function activationRequests(log: LogShowResult, extensionIds: readonly string[]): number {
  return log.entries.filter(
    (e) =>
      e.process === 'sysextd' &&
      extensionIds.some((id) => e.message.includes(`client activation request for ${id}`)),
  ).length;
}

export function formatLog(log: LogShowResult): string {
  return `$ ${log.command}\n${log.raw}`;
}

export type ActivationOutcome =
  | { kind: 'state'; row: SystemExtension }
  | { kind: 'refused'; log: LogShowResult; lines: string[] };

/**
 * Polls until the extension is in one of `states`, or sysextd has refused it (lines since
 * `start` matching `refusal`). At the deadline it throws WaitTimeoutError: no state and no
 * refusal is not evidence of anything.
 */
export async function awaitActivationOutcome(
  guest: GuestSession,
  version: ExtensionVersion,
  states: readonly string[],
  options: { start: string; timeoutMs: number; refusal?: RegExp; signal?: AbortSignal },
): Promise<ActivationOutcome> {
  return retryUntil(
    async () => {
      const { extensions } = await readSystemExtensions(guest, options);
      const row = findExtension(extensions, version);
      if (row && states.includes(row.state)) return { kind: 'state', row } as const;
      const log = await readSysextdLog(guest, options);
      const lines = refusalLines(log, options.refusal);
      if (lines.length > 0) return { kind: 'refused', log, lines } as const;
      throw new Error(
        row
          ? `[${row.state}], sysextd refused nothing`
          : `not listed (${extensions.length} extension(s)), sysextd refused nothing`,
      );
    },
    {
      what: `${version.bundleId} (${version.shortVersion}/${version.bundleVersion}) to be [${states.join('] or [')}] or refused`,
      vm: guest.label,
      timeoutMs: options.timeoutMs,
      // Quick at first (activation takes well under a second when nothing is wrong), then 0.5 s.
      intervalMs: 10,
      backoffFactor: 2,
      maxIntervalMs: 500,
      signal: options.signal,
    },
  );
}
