import { parseCodesignDisplay } from './codesign-display.ts';
import { parseInstaller } from './installer.ts';
import { parseLaunchctlError } from './launchctl-error.ts';
import { parseLaunchctlList } from './launchctl-list.ts';
import { parseLaunchctlPrint } from './launchctl-print.ts';
import { parseLaunchctlPrintDomain } from './launchctl-print-domain.ts';
import { parsePmsetAssertions } from './pmset-assertions.ts';
import { parsePmsetLog } from './pmset-log.ts';
import { parseScutilNcList } from './scutil-nc-list.ts';
import { parseSpctlAssess } from './spctl-assess.ts';
import { parseSwVers } from './sw-vers.ts';
import { parseSystemExtensionsList } from './systemextensions-list.ts';
import { parseUnifiedLog } from './unified-log.ts';

/** A parser as the CLI sees it: `sysext-lab parse <kind> [FILE]`. */
export interface ParseKind {
  /** One line for `--help`: the command whose output this kind reads. */
  readonly description: string;
  readonly parse: (text: string) => unknown;
}

/** Every parser by kind name. */
export const parseKinds = {
  'systemextensions-list': {
    description: 'systemextensionsctl list',
    parse: parseSystemExtensionsList,
  },
  'launchctl-print': {
    description: 'launchctl print <domain>/<label> (one service)',
    parse: parseLaunchctlPrint,
  },
  'launchctl-list': {
    description: 'launchctl list',
    parse: parseLaunchctlList,
  },
  'launchctl-error': {
    description: 'launchctl error text on stderr (null when not recognised)',
    parse: parseLaunchctlError,
  },
  'launchctl-print-domain': {
    description: 'launchctl print <domain>, e.g. launchctl print system (services, endpoints, disabled)',
    parse: parseLaunchctlPrintDomain,
  },
  'sw-vers': {
    description: 'sw_vers',
    parse: parseSwVers,
  },
  'pmset-log': {
    description: 'pmset -g log (sleep, wake and dark wake events)',
    parse: parsePmsetLog,
  },
  'pmset-assertions': {
    description: 'pmset -g assertions',
    parse: parsePmsetAssertions,
  },
  'unified-log': {
    description: 'log show / log stream in default, compact, json or ndjson style',
    parse: (text: string) => parseUnifiedLog(text),
  },
  installer: {
    description: 'installer -pkg <pkg> -target / (stdout and stderr)',
    parse: parseInstaller,
  },
  'codesign-display': {
    description: 'codesign -dv --verbose=4 <path> (stderr)',
    parse: parseCodesignDisplay,
  },
  'spctl-assess': {
    description: 'spctl -a -vv <path>',
    parse: parseSpctlAssess,
  },
  'scutil-nc-list': {
    description: 'scutil --nc list',
    parse: parseScutilNcList,
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

/** Parses `text` with the parser named `kind`; throws UnknownParseKindError or the parser's ParseError. */
export function parseByKind(kind: string, text: string): unknown {
  if (!isParseKind(kind)) throw new UnknownParseKindError(kind, Object.keys(parseKinds));
  const entry: ParseKind = parseKinds[kind];
  return entry.parse(text);
}
