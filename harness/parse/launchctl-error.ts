import { splitLines } from './lines.ts';

export interface ServiceNotFound {
  readonly kind: 'service-not-found';
  readonly label: string;
  /** `system`, or `gui/501` for the `user gui: 501` wording. */
  readonly domain: string;
}

/** A launchctl error recognised in stderr. */
export type LaunchctlError = ServiceNotFound;

const SERVICE_NOT_FOUND = /^Could not find service "([^"]+)" in domain for (.+)$/;
// Reconstructed: the per-user wording "user gui: 501" is seen in "Could not find domain for user gui: 501".
const USER_DOMAIN = /^user (gui|user|login): (\d+)$/;

/**
 * Recognises a launchctl error message (stderr of `launchctl print`, exit 113), optionally after a
 * `Bad request.` line. Returns null when the text is not a known launchctl error; never throws.
 */
export function parseLaunchctlError(text: string): LaunchctlError | null {
  for (const line of splitLines(text)) {
    const trimmed = line.text.trim();
    if (trimmed === '' || trimmed === 'Bad request.') continue;
    const match = SERVICE_NOT_FOUND.exec(trimmed);
    if (match === null) return null;
    const printed = match[2]!.trim();
    const user = USER_DOMAIN.exec(printed);
    return {
      kind: 'service-not-found',
      label: match[1]!,
      domain: user === null ? printed : `${user[1]}/${user[2]}`,
    };
  }
  return null;
}
