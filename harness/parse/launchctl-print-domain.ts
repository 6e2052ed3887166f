import { classifyLaunchdLine } from './launchd-blocks.ts';
import { type LineParser, type ParseOptions, type ParseOutput, parseWith } from './line-parser.ts';
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
// Map entries kept: a real domain prints a few hundred; a paste of any size stays bounded.
const MAX_KEYS = 100_000;

/** The line parser behind parseLaunchctlPrintDomain; services and endpoints go to their lists. */
export function launchctlPrintDomainReader(out: ParseOutput): LineParser<LaunchctlPrintDomain> {
  let domain: string | null = null;
  const disabled = new Map<string, boolean>();
  const values = new Map<string, string>();
  let depth = 1;
  let section: Section = 'other';
  let cut = false;
  let lastLine = 0;

  const keep = <V>(map: Map<string, V>, key: string, value: V, line: number): void => {
    if (map.size < MAX_KEYS || map.has(key)) map.set(key, value);
    else out.warn('too-many-keys', line, `more than ${MAX_KEYS} keys: "${key}" was dropped`);
  };

  return {
    line(line) {
      if (cut || line.text.trim() === '') return;
      lastLine = line.number;
      const fail = (expected: string): never => {
        throw new ParseError({ kind: KIND, command: COMMAND, line: line.number, expected, got: line.text });
      };
      if (domain === null) {
        const match = HEADER.exec(line.text);
        if (match === null) fail('a domain header "<domain> = {", e.g. "system = {"');
        domain = match![1]!;
        return;
      }
      const parsed = classifyLaunchdLine(line.text);
      // The cut-off last line of an excerpt is ignored unless it is a complete closing brace.
      if (line.mayBeCut && parsed.type !== 'close') {
        cut = true;
        return;
      }
      if (depth === 0) fail('the end of the output after the closing "}"');
      if (parsed.type === 'close') {
        depth--;
        if (depth <= 1) section = 'other';
        return;
      }
      if (parsed.type === 'open') {
        if (depth === 1) section = toSection(parsed.key);
        depth++;
        return;
      }
      if (parsed.type === 'empty-block') return;
      if (depth === 1) {
        if (parsed.type === 'value' && !values.has(parsed.key))
          keep(values, parsed.key, parsed.value, line.number);
        return;
      }
      if (depth !== 2 || section === 'other' || (parsed.type === 'other' && parsed.text === '...')) return;
      if (section === 'disabled services') {
        if (parsed.type !== 'value') fail('a row "\\"<label>\\" => disabled|enabled"');
        else keep(disabled, parsed.key, parsed.value === 'disabled', line.number);
        return;
      }
      const row = line.text.trim();
      if (section === 'services') {
        const match = SERVICE_ROW.exec(row);
        if (match === null) fail('a service row "<pid> <status> <label>"');
        out.push('services', toService(match!));
      } else {
        const match = ENDPOINT_ROW.exec(row);
        if (match === null) fail('an endpoint row "<port> <flags> <name>"');
        out.push('endpoints', toEndpoint(match!));
      }
    },
    end(lines) {
      if (domain === null) {
        throw new ParseError({
          kind: KIND,
          command: COMMAND,
          line: lines + 1,
          expected: 'a domain header "<domain> = {", e.g. "system = {"',
          got: null,
        });
      }
      if (cut || depth > 0) {
        out.warn(
          'truncated',
          cut ? lastLine : lines + 1,
          'the output ends before the domain\'s closing "}": later sections are missing',
        );
      }
      return {
        domain,
        services: out.list<DomainService>('services'),
        endpoints: out.list<DomainEndpoint>('endpoints'),
        disabledServices: Object.fromEntries(disabled),
        values: Object.fromEntries(values),
      };
    },
  };
}

/** Parses `launchctl print system` (or another domain): services, endpoints and disabled services. */
export function parseLaunchctlPrintDomain(text: string, options?: ParseOptions): LaunchctlPrintDomain {
  return parseWith(launchctlPrintDomainReader, text, { kind: KIND, command: COMMAND }, options);
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
