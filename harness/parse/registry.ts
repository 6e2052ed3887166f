import { codesignDisplayReader } from './codesign-display.ts';
import { installerReader } from './installer.ts';
import { launchctlErrorReader } from './launchctl-error.ts';
import { launchctlListReader } from './launchctl-list.ts';
import { launchctlPrintReader } from './launchctl-print.ts';
import { launchctlPrintDomainReader } from './launchctl-print-domain.ts';
import { type LineParserFactory, type ParseWarning, parseText } from './line-parser.ts';
import { pkgutilFilesReader, pkgutilPkgInfoReader } from './pkgutil.ts';
import { pmsetAssertionsReader } from './pmset-assertions.ts';
import { pmsetLogReader } from './pmset-log.ts';
import { scutilNcListReader } from './scutil-nc-list.ts';
import { spctlAssessReader } from './spctl-assess.ts';
import { type SwVersRead, swVersReader, toSwVers } from './sw-vers.ts';
import { COMMAND_ECHO, systemExtensionsListReader } from './systemextensions-list.ts';
import { unifiedLogReader } from './unified-log.ts';

/** A parser as the CLI sees it: `sysext-lab parse <kind> [FILE]`. */
export interface ParseKind {
  /** One line for `--help`: the command whose output this kind reads. */
  readonly description: string;
  /** A command line that produces the input, for `parse <kind> --help`. */
  readonly example: string;
  /** The line parser; every kind reads line by line in bounded memory. */
  readonly reader: LineParserFactory<unknown>;
  /** Turns the reader's result into the kind's result, when they differ. */
  readonly finish?: (result: never) => unknown;
  /** Whether the first non-blank lines (up to 20) look like this kind's output, for `parse auto`. */
  readonly detect: (lines: readonly string[]) => boolean;
}

const first = (lines: readonly string[], pattern: RegExp): boolean =>
  lines.some((line) => pattern.test(line.trim()));
const opens = (lines: readonly string[], pattern: RegExp): boolean => pattern.test((lines[0] ?? '').trim());

/**
 * Every parser by kind name, in the order `parse auto` tries them (the more specific first).
 * `parse` reads them tolerant: a paste that differs gives warnings, not a failure.
 */
export const parseKinds = {
  'systemextensions-list': {
    description: 'systemextensionsctl list',
    example: 'systemextensionsctl list',
    reader: systemExtensionsListReader,
    // The first line, or the second after the command line a poster copied with its output.
    detect: ([first = '', second = '']) => {
      const opening = /^(?:\d+ extension\(s\)|---\s+com\.apple\.system_extension\.)/;
      return opening.test(first.trim()) || (COMMAND_ECHO.test(first) && opening.test(second.trim()));
    },
  },
  'launchctl-print-domain': {
    description: 'launchctl print <domain>, e.g. launchctl print system (services, endpoints, disabled)',
    example: 'launchctl print system',
    reader: launchctlPrintDomainReader,
    detect: (lines) => opens(lines, /^(?:system|[a-z]+\/\d+) = \{$/),
  },
  'launchctl-print': {
    description: 'launchctl print <domain>/<label> (one service)',
    example: 'launchctl print system/com.openssh.sshd',
    reader: launchctlPrintReader,
    detect: (lines) => opens(lines, /^\S+ = \{$/),
  },
  'launchctl-list': {
    description: 'launchctl list',
    example: 'launchctl list | grep -v com.apple',
    reader: launchctlListReader,
    detect: (lines) => opens(lines, /^PID\s+Status\s+Label$/) || opens(lines, /^(?:-|\d+)\t-?\w+\t\S+$/),
  },
  'launchctl-error': {
    description: 'launchctl error text on stderr (null when not recognised)',
    example: 'launchctl print system/com.foo 2>&1 >/dev/null',
    reader: launchctlErrorReader,
    detect: (lines) => first(lines, /^Could not find service ".*" in domain for /),
  },
  'sw-vers': {
    description: 'sw_vers',
    example: 'sw_vers',
    reader: swVersReader,
    // The reader gives null for fields a cut paste never reached; a complete paste gives SwVers.
    finish: (read: SwVersRead) =>
      read.productName === null || read.productVersion === null || read.buildVersion === null
        ? read
        : toSwVers(read, 0),
    detect: (lines) => opens(lines, /^ProductName:/),
  },
  'pmset-log': {
    description: 'pmset -g log (sleep, wake and dark wake events)',
    example: 'pmset -g log | grep -E "Sleep|Wake"',
    reader: pmsetLogReader,
    detect: (lines) =>
      first(lines, /^Sleep\/Wakes since boot|^Time stamp\s+Domain\s+Message/) ||
      opens(
        lines,
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} (?:Sleep|Wake|DarkWake|Assertions|Start|Notification)\b/,
      ),
  },
  'pmset-assertions': {
    description: 'pmset -g assertions',
    example: 'pmset -g assertions',
    reader: pmsetAssertionsReader,
    detect: (lines) => first(lines, /^Assertion status system-wide:$/),
  },
  'unified-log': {
    description: 'log show / log stream in default, compact, json or ndjson style (also with --source)',
    example: 'log show --last 5m --predicate \'process == "sysextd"\' --style ndjson',
    reader: (out) => unifiedLogReader(out),
    detect: (lines) =>
      first(lines, /^Filtering the log data using |^Timestamp\s+(?:Thread|Ty)\s/) ||
      opens(lines, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+/) ||
      opens(lines, /^\[?\{/),
  },
  installer: {
    description: 'installer -pkg <pkg> -target / (stdout and stderr)',
    example: 'sudo installer -pkg App.pkg -target / 2>&1',
    reader: installerReader,
    detect: (lines) => opens(lines, /^installer:/),
  },
  'codesign-display': {
    description: 'codesign -dv --verbose=4 <path> (stderr)',
    example: 'codesign -dv --verbose=4 /Applications/App.app 2>&1',
    reader: codesignDisplayReader,
    detect: (lines) => first(lines, /^(?:Executable|Identifier)=/),
  },
  'spctl-assess': {
    description: 'spctl -a -vv <path>',
    example: 'spctl -a -vv /Applications/App.app 2>&1',
    reader: spctlAssessReader,
    detect: (lines) => opens(lines, /: (?:accepted|rejected)\b/),
  },
  'scutil-nc-list': {
    description: 'scutil --nc list',
    example: 'scutil --nc list',
    reader: scutilNcListReader,
    detect: (lines) =>
      first(lines, /^Available network connection services in the current set/) ||
      opens(lines, /^\*?\s*\([A-Za-z ]+\)\s+\S/),
  },
  'pkgutil-pkg-info': {
    description: 'pkgutil --pkg-info <package-id> (package-id, version, volume, location, install-time)',
    example: 'pkgutil --pkg-info com.vendor.app.pkg',
    reader: pkgutilPkgInfoReader,
    detect: (lines) => opens(lines, /^package-id: /),
  },
  'pkgutil-files': {
    description: 'pkgutil --files <package-id> (paths relative to the install location)',
    example: 'pkgutil --files com.vendor.app.pkg',
    reader: pkgutilFilesReader,
    // Last resort: every line a relative path (no key/value or brace), at least one with a slash.
    detect: (lines) =>
      lines.length > 0 &&
      lines.every((line) => /^[^\s/=:{}"][^=:{}"\t]*$/.test(line.trim()) && line.trim() !== '...') &&
      lines.some((line) => line.includes('/')),
  },
} as const satisfies Readonly<Record<string, ParseKind>>;

export type ParseKindName = keyof typeof parseKinds;

/** The caller asked for a parser kind that does not exist. */
export class UnknownParseKindError extends Error {
  override readonly name = 'UnknownParseKindError';
  readonly kind: string;
  readonly validKinds: readonly string[];

  constructor(kind: string, validKinds: readonly string[]) {
    super(`Unknown parse kind ${JSON.stringify(kind)}: valid kinds are ${validKinds.join(', ')}`);
    this.kind = kind;
    this.validKinds = validKinds;
  }
}

export function isParseKind(kind: string): kind is ParseKindName {
  return Object.hasOwn(parseKinds, kind);
}

export function parseKind(kind: string): ParseKind {
  if (!isParseKind(kind)) throw new UnknownParseKindError(kind, Object.keys(parseKinds));
  return parseKinds[kind];
}

/** The kind whose output the first non-blank lines look like, or null. */
export function detectKind(lines: readonly string[]): ParseKindName | null {
  const head = lines.filter((line) => line.trim() !== '').slice(0, 20);
  for (const [kind, entry] of Object.entries(parseKinds) as [ParseKindName, ParseKind][]) {
    if (entry.detect(head)) return kind;
  }
  return null;
}

/** Parses `text` with the parser named `kind`, tolerant; returns the result and the warnings. */
export function parseKindText(kind: string, text: string): { result: unknown; warnings: ParseWarning[] } {
  const entry = parseKind(kind);
  const { result, warnings } = parseText(entry.reader, text);
  return { result: entry.finish === undefined ? result : entry.finish(result as never), warnings };
}

/** Parses `text` with the parser named `kind`; throws UnknownParseKindError or the parser's ParseError. */
export function parseByKind(kind: string, text: string): unknown {
  return parseKindText(kind, text).result;
}
