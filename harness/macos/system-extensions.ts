// `systemextensionsctl list` on the guest, and waiting for an extension to reach a state.
import { parseSystemExtensionsList, type SystemExtension } from '../parse/systemextensions-list.ts';
import { retryUntil } from '../retry.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export interface ExtensionVersion {
  bundleId: string;
  shortVersion: string;
  bundleVersion: string;
}

export async function readSystemExtensions(
  guest: GuestSession,
  options: { signal?: AbortSignal } = {},
): Promise<{ raw: string; extensions: SystemExtension[] }> {
  const result = await guest.exec(['systemextensionsctl', 'list'], { signal: options.signal });
  // Strict: verdicts rest on these rows, so a changed shape (a lost count line, a cut list, a new
  // category) stops the run as a ParseWarningError instead of being read around.
  return {
    raw: result.stdout,
    extensions: parseSystemExtensionsList(result.stdout, { strict: true }).extensions,
  };
}

export function findExtension(
  extensions: SystemExtension[],
  version: ExtensionVersion,
): SystemExtension | undefined {
  return extensions.find(
    (e) =>
      e.bundleId === version.bundleId &&
      e.shortVersion === version.shortVersion &&
      e.bundleVersion === version.bundleVersion,
  );
}

export function describeVersion(version: ExtensionVersion): string {
  return `${version.bundleId} (${version.shortVersion}/${version.bundleVersion})`;
}

/** Polls until the extension's state is one of `states`; returns the row that matched. */
export function waitForExtensionState(
  guest: GuestSession,
  version: ExtensionVersion,
  states: readonly string[],
  options: { signal?: AbortSignal; timeoutMs?: number; intervalMs?: number } = {},
): Promise<SystemExtension> {
  return retryUntil(
    async () => {
      const { extensions } = await readSystemExtensions(guest, options);
      const row = findExtension(extensions, version);
      if (row && states.includes(row.state)) return row;
      throw new Error(
        row
          ? `${describeVersion(version)} is [${row.state}]`
          : `${describeVersion(version)} is not listed (${extensions.length} extension(s))`,
      );
    },
    {
      what: `${describeVersion(version)} to be [${states.join('] or [')}]`,
      vm: guest.label,
      timeoutMs: options.timeoutMs ?? 60_000,
      // Start quick (macOS lists an extension within a second of the request), back off to 0.5 s:
      // a few extra polls cost little next to the seconds a late one adds to every iteration.
      intervalMs: options.intervalMs ?? 10,
      backoffFactor: 2,
      maxIntervalMs: 500,
      signal: options.signal,
    },
  );
}
