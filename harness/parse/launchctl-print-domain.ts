import { classifyLaunchdLine } from './launchd-blocks.ts';
import { splitLines } from './lines.ts';
import { ParseError } from './parse-error.ts';

/** One row of the `services` block of `launchctl print <domain>`. */
export interface DomainService {
  /** Null when the PID column is 0 (not running). */
  readonly pid: number | null;
  /** Last exit status as a number, else as printed: `-` (none), `(pe)` flags on macOS 26. */
  readonly status: number | string;
  readonly label: string;
}

/** One row of the `endpoints` block of `launchctl print <domain>`. */
export interface DomainEndpoint {
  readonly name: string;
  /** As printed: `0x1090b`, or `0` when no port is held. */
  readonly port: string;
  /** The letter columns as printed, e.g. `['M', 'A']`. */
  readonly flags: string[];
  // Inferred meaning (the reference says so too): M = managed by launchd, A = active, D = demand.
  readonly managed: boolean;
  readonly active: boolean;
}

export interface LaunchctlPrintDomain {
  /** From the header line, e.g. `system` or `gui/501`. */
  readonly domain: string;
  readonly services: DomainService[];
  readonly endpoints: DomainEndpoint[];
  /** Label to true when printed `=> disabled`, false when `=> enabled`. */
  readonly disabledServices: Readonly<Record<string, boolean>>;
  /** Every top-level `key = value` line, e.g. `type`, `active count`, `properties`. */
  readonly values: Readonly<Record<string, string>>;
}

const KIND = 'launchctl-print-domain';
const COMMAND = 'launchctl print <domain>';
const HEADER = /^\s*(system|[a-z]+\/\d+)\s+=\s+\{$/;
const SERVICE_ROW = /^(\d{1,9})\s+(\S+)\s+(\S.*)$/;
const ENDPOINT_ROW = /^(0x[0-9a-fA-F]+|\d+)\s+((?:[A-Z]\s+)*)(\S+)$/;

type Section = 'services' | 'endpoints' | 'disabled services' | 'other';

/** Parses `launchctl print system` (or another domain): services, endpoints and disabled services. */
export function parseLaunchctlPrintDomain(text: string): LaunchctlPrintDomain {
  const lines = splitLines(text).filter((line) => line.text.trim() !== '');
  const header = lines[0];
  const headerMatch = header === undefined ? null : HEADER.exec(header.text);
  if (header === undefined || headerMatch === null) {
    throw new ParseError({
      kind: KIND,
      command: COMMAND,
      line: header?.number ?? 1,
      expected: 'a domain header "<domain> = {", e.g. "system = {"',
      got: header?.text ?? null,
    });
  }

  const services: DomainService[] = [];
  const endpoints: DomainEndpoint[] = [];
  const disabled = new Map<string, boolean>();
  const values = new Map<string, string>();
  let depth = 1;
  let section: Section = 'other';

  for (const line of lines.slice(1)) {
    const parsed = classifyLaunchdLine(line.text);
    // The cut-off last line of an excerpt is ignored unless it is a complete closing brace.
    if (line.mayBeCut && parsed.type !== 'close') break;
    const fail = (expected: string): never => {
      throw new ParseError({ kind: KIND, command: COMMAND, line: line.number, expected, got: line.text });
    };
    if (depth === 0) fail('the end of the output after the closing "}"');
    if (parsed.type === 'close') {
      depth--;
      if (depth <= 1) section = 'other';
      continue;
    }
    if (parsed.type === 'open') {
      if (depth === 1) section = toSection(parsed.key);
      depth++;
      continue;
    }
    if (parsed.type === 'empty-block') continue;
    if (depth === 1) {
      if (parsed.type === 'value' && !values.has(parsed.key)) values.set(parsed.key, parsed.value);
      continue;
    }
    if (depth !== 2 || section === 'other' || (parsed.type === 'other' && parsed.text === '...')) continue;
    if (section === 'disabled services') {
      if (parsed.type !== 'value') fail('a row "\\"<label>\\" => disabled|enabled"');
      else disabled.set(parsed.key, parsed.value === 'disabled');
      continue;
    }
    const row = line.text.trim();
    if (section === 'services') {
      const match = SERVICE_ROW.exec(row);
      if (match === null) fail('a service row "<pid> <status> <label>"');
      services.push(toService(match!));
    } else {
      const match = ENDPOINT_ROW.exec(row);
      if (match === null) fail('an endpoint row "<port> <flags> <name>"');
      endpoints.push(toEndpoint(match!));
    }
  }

  return {
    domain: headerMatch[1]!,
    services,
    endpoints,
    disabledServices: Object.fromEntries(disabled),
    values: Object.fromEntries(values),
  };
}

function toSection(key: string): Section {
  return key === 'services' || key === 'endpoints' || key === 'disabled services' ? key : 'other';
}

function toService(match: RegExpExecArray): DomainService {
  const pid = Number(match[1]);
  const status = match[2]!;
  return {
    pid: pid === 0 ? null : pid,
    status: /^-?\d{1,9}$/.test(status) ? Number(status) : status,
    label: match[3]!,
  };
}

function toEndpoint(match: RegExpExecArray): DomainEndpoint {
  const flags = match[2]!.split(/\s+/).filter((flag) => flag !== '');
  return {
    name: match[3]!,
    port: match[1]!,
    flags,
    managed: flags.includes('M'),
    active: flags.includes('A'),
  };
}
