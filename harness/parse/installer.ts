import {
  type LineParser,
  type ParseOptions,
  type ParseOutput,
  parseWith,
  warnCutLine,
} from './line-parser.ts';
import { ParseError } from './parse-error.ts';

export interface InstallerResult {
  /** From `Package name is <name>`, or null. */
  readonly packageName: string | null;
  /** `install` for "Installing at base path", `upgrade` for "Upgrading at base path", else null. */
  readonly action: 'install' | 'upgrade' | null;
  readonly basePath: string | null;
  /** True only when "The install was successful." or "The upgrade was successful." was printed. */
  readonly succeeded: boolean;
  /** Text after `installer: Error - ` or of a "... failed" line, or null. */
  readonly error: string | null;
  /** Every `installer:` message in order, without the prefix. */
  readonly messages: string[];
}

const KIND = 'installer';
const COMMAND = 'installer -pkg <pkg> -target /';
const PREFIX = /^installer:\s?(.*)$/;

/** The line parser behind parseInstaller; messages go to the `messages` list. */
export function installerReader(out: ParseOutput): LineParser<InstallerResult> {
  let packageName: string | null = null;
  let action: InstallerResult['action'] = null;
  let basePath: string | null = null;
  let succeeded = false;
  let error: string | null = null;
  let count = 0;
  let cut = false;
  return {
    line(line) {
      if (cut || line.text.trim() === '') return;
      const match = PREFIX.exec(line.text.trim());
      if (match === null) {
        if (line.mayBeCut) {
          cut = true;
          warnCutLine(out, line);
          return;
        }
        throw new ParseError({
          kind: KIND,
          command: COMMAND,
          line: line.number,
          expected: 'a line "installer: <message>"',
          got: line.text,
        });
      }
      const message = match[1]!.trim();
      out.push('messages', message);
      count++;
      const name = /^Package name is (.+)$/.exec(message);
      const base = /^(Installing|Upgrading) at base path (.+)$/.exec(message);
      const failure = /^Error - (.+)$/.exec(message);
      if (name !== null) packageName = name[1]!;
      else if (base !== null) {
        action = base[1] === 'Installing' ? 'install' : 'upgrade';
        basePath = base[2]!;
      } else if (/^The (?:install|upgrade) was successful\.$/.test(message)) succeeded = true;
      else if (failure !== null) error = failure[1]!;
      // Reconstructed wording: "The install failed (<reason>)" is not in the reference samples.
      else if (/^The (?:install|upgrade) failed/.test(message)) error = message;
    },
    end(lines) {
      if (count === 0) {
        throw new ParseError({
          kind: KIND,
          command: COMMAND,
          line: lines + 1,
          expected: 'a line "installer: <message>"',
          got: null,
        });
      }
      return {
        packageName,
        action,
        basePath,
        succeeded: succeeded && error === null,
        error,
        messages: out.list<string>('messages'),
      };
    },
  };
}

/** Parses the stdout and stderr of `installer -pkg <pkg> -target <volume>` (both may be concatenated). */
export function parseInstaller(text: string, options?: ParseOptions): InstallerResult {
  return parseWith(installerReader, text, { kind: KIND, command: COMMAND }, options);
}
