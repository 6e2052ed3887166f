import { type LineParser, parseText } from './line-parser.ts';

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

/** The line parser behind parseLaunchctlError: decides on the first line that is not `Bad request.`. */
export function launchctlErrorReader(): LineParser<LaunchctlError | null> {
  let result: LaunchctlError | null = null;
  let decided = false;
  return {
    line(line) {
      const trimmed = line.text.trim();
      if (decided || trimmed === '' || trimmed === 'Bad request.') return;
      decided = true;
      const match = SERVICE_NOT_FOUND.exec(trimmed);
      if (match === null) return;
      const printed = match[2]!.trim();
      const user = USER_DOMAIN.exec(printed);
      result = {
        kind: 'service-not-found',
        label: match[1]!,
        domain: user === null ? printed : `${user[1]}/${user[2]}`,
      };
    },
    end: () => result,
  };
}

/**
 * Recognises a launchctl error message (stderr of `launchctl print`, exit 113), optionally after a
 * `Bad request.` line. Returns null when the text is not a known launchctl error; never throws.
 */
export function parseLaunchctlError(text: string): LaunchctlError | null {
  return parseText(launchctlErrorReader, text).result;
}
