// `pkgutil --pkg-info <id>` and `pkgutil --files <id>`: the receipts the harness reads to find the
// app a package installed.
import { type LineParser, type ParseOptions, type ParseOutput, parseWith } from './line-parser.ts';
import { ParseError } from './parse-error.ts';

export interface PkgutilPkgInfo {
  readonly packageId: string;
  /** Null when a cut paste ends before the line. */
  readonly version: string | null;
  readonly volume: string | null;
  /** As printed: relative to the volume (`Applications`, `Library/...`) or `/`. */
  readonly location: string | null;
  /** Seconds since 1970, or null when absent. */
  readonly installTime: number | null;
}

export interface PkgutilFiles {
  /** Paths relative to the install location, directories included, as printed. */
  readonly files: string[];
}

const INFO_KIND = 'pkgutil-pkg-info';
const INFO_COMMAND = 'pkgutil --pkg-info <id>';
const FILES_KIND = 'pkgutil-files';
const FILES_COMMAND = 'pkgutil --files <id>';
const INFO_LINE = /^([a-z-]+): ?(.*)$/;
const KEYS = ['package-id', 'version', 'volume', 'location', 'install-time'] as const;
// pkgutil's refusal on stderr, e.g. "No receipt for 'com.x' found at '/'.": not a receipt.
const NO_RECEIPT = /^No receipt for '.*' found at/;

/** The line parser behind parsePkgutilPkgInfo. */
export function pkgutilPkgInfoReader(out: ParseOutput): LineParser<PkgutilPkgInfo> {
  const found = new Map<string, string>();
  let cut = false;
  return {
    line(line) {
      const text = line.text.trim();
      if (cut || text === '') return;
      const match = INFO_LINE.exec(text);
      if (match === null || NO_RECEIPT.test(text)) {
        if (line.mayBeCut) {
          cut = true;
          return;
        }
        throw new ParseError({
          kind: INFO_KIND,
          command: INFO_COMMAND,
          line: line.number,
          expected: 'a line "<key>: <value>", e.g. "package-id: com.vendor.pkg"',
          got: line.text,
        });
      }
      if ((KEYS as readonly string[]).includes(match[1]!) && !found.has(match[1]!))
        found.set(match[1]!, match[2]!.trim());
    },
    end(lines) {
      const packageId = found.get('package-id');
      if (packageId === undefined) {
        throw new ParseError({
          kind: INFO_KIND,
          command: INFO_COMMAND,
          line: lines + 1,
          expected: 'a line "package-id: <id>"',
          got: null,
        });
      }
      const missing = KEYS.filter((key) => !found.has(key));
      if (missing.length > 0)
        out.warn('truncated', lines + 1, `no ${missing.join(', ')} line: the paste ends early`);
      const time = found.get('install-time');
      return {
        packageId,
        version: found.get('version') ?? null,
        volume: found.get('volume') ?? null,
        location: found.get('location') ?? null,
        installTime: time !== undefined && /^\d{1,12}$/.test(time) ? Number(time) : null,
      };
    },
  };
}

export function parsePkgutilPkgInfo(text: string, options?: ParseOptions): PkgutilPkgInfo {
  return parseWith(pkgutilPkgInfoReader, text, { kind: INFO_KIND, command: INFO_COMMAND }, options);
}

/** The line parser behind parsePkgutilFiles; paths go to the `files` list. */
export function pkgutilFilesReader(out: ParseOutput): LineParser<PkgutilFiles> {
  return {
    line(line) {
      const text = line.text.trim();
      if (text === '') return;
      if (NO_RECEIPT.test(text)) {
        throw new ParseError({
          kind: FILES_KIND,
          command: FILES_COMMAND,
          line: line.number,
          expected: 'a path relative to the install location',
          got: line.text,
        });
      }
      // A path cut mid-name would name a file that does not exist.
      if (line.mayBeCut) {
        out.warn(
          'truncated',
          line.number,
          `the last path may be cut and was dropped: ${JSON.stringify(text.slice(0, 80))}`,
        );
        return;
      }
      out.push('files', text);
    },
    end: () => ({ files: out.list<string>('files') }),
  };
}

export function parsePkgutilFiles(text: string, options?: ParseOptions): PkgutilFiles {
  return parseWith(pkgutilFilesReader, text, { kind: FILES_KIND, command: FILES_COMMAND }, options);
}
