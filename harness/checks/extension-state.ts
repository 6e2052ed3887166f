// Check: `systemextensionsctl list` shows the extension, at this version, in this state.
import { CheckFailedError } from '../errors.ts';
import {
  describeVersion,
  type ExtensionVersion,
  findExtension,
  readSystemExtensions,
} from '../macos/system-extensions.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export async function checkExtensionState(
  guest: GuestSession,
  version: ExtensionVersion,
  expectedState: string,
  options: { check?: string; signal?: AbortSignal } = {},
): Promise<void> {
  const { raw, extensions } = await readSystemExtensions(guest, options);
  const row = findExtension(extensions, version);
  if (row?.state === expectedState) return;
  const found = row
    ? `it is [${row.state}]`
    : `it is not listed; listed: ${extensions.map((e) => `${describeVersion(e)} [${e.state}]`).join(', ') || 'none'}`;
  throw new CheckFailedError(
    options.check ?? 'extension-state',
    `Extension ${describeVersion(version)} is not [${expectedState}] in \`systemextensionsctl list\`: ${found}`,
    { 'systemextensionsctl-list.txt': raw },
  );
}
