import { classifyLaunchdLine } from './launchd-blocks.ts';
import { splitLines } from './lines.ts';
import { ParseError } from './parse-error.ts';

/** One mach service in an endpoint block of `launchctl print <domain>/<label>`. */
export interface LaunchdEndpoint {
  /** The mach service name (quoted in the output). */
  readonly name: string;
  /** As printed (`0x3a777`, `0`), or null when an excerpt was cut before the `port` line. */
  readonly port: string | null;
  readonly active: boolean;
  readonly managed: boolean;
  readonly watching: boolean;
}

export interface LaunchctlPrint {
  /** From the header line, e.g. `gui/501` or `system`; never from the `domain =` line. */
  readonly domain: string;
  readonly label: string;
  /** Top-level `type =`, e.g. `LaunchDaemon`, `Submitted`; null when absent. */
  readonly type: string | null;
  /** Top-level `state =` only (never one nested in `event triggers`); null when absent. */
  readonly state: string | null;
  readonly pid: number | null;
  /** `(never exited)` and absent give null, `0` gives 0, `78: EX_CONFIG` stays a string. */
  readonly lastExitCode: number | string | null;
  readonly program: string | null;
  /** `endpointBlocks.endpoints`, or empty when that block is absent. */
  readonly endpoints: LaunchdEndpoint[];
  /** `endpointBlocks['dynamic endpoints']`, or empty when that block is absent. */
  readonly dynamicEndpoints: LaunchdEndpoint[];
  /** Every endpoint block seen; a missing key means the block was not printed at all. */
  readonly endpointBlocks: Readonly<Record<string, LaunchdEndpoint[]>>;
  /** Every top-level `key = value` line, e.g. `path`, `job state`, `properties`. */
  readonly values: Readonly<Record<string, string>>;
}

const KIND = 'launchctl-print';
const COMMAND = 'launchctl print <domain>/<label>';
const HEADER = /^\s*(\S+)\s+=\s+\{$/;
// Blocks named so hold endpoints even when empty; other blocks count only if an entry has a port.
const ENDPOINT_BLOCK_NAME = /(?:^|\s)endpoints$|^event channels$/;

interface BlockFrame {
  readonly key: string;
  /** Depth of the block's own `key = {` line: 1 for top-level blocks. */
  readonly depth: number;
  readonly entries: LaunchdEndpoint[];
  hasPorts: boolean;
}

interface EntryFrame {
  readonly name: string;
  readonly fields: Map<string, string>;
}

/** Parses `launchctl print <domain>/<label>` (one service, not a whole domain). */
export function parseLaunchctlPrint(text: string): LaunchctlPrint {
  const lines = splitLines(text).filter((line) => line.text.trim() !== '');
  const header = lines[0];
  const headerMatch = header === undefined ? null : HEADER.exec(header.text);
  const target = headerMatch === null ? null : splitTarget(headerMatch[1]!);
  if (header === undefined || target === null) {
    throw new ParseError({
      kind: KIND,
      command: COMMAND,
      line: header?.number ?? 1,
      expected: 'a service header "<domain>/<label> = {"',
      got: header?.text ?? null,
    });
  }

  const values = new Map<string, string>();
  const blocks = new Map<string, LaunchdEndpoint[]>();
  // Depth of nesting: 1 inside the service's own braces.
  let depth = 1;
  let block: BlockFrame | null = null;
  let entry: EntryFrame | null = null;

  const closeEntry = (): void => {
    if (block !== null && entry !== null) {
      block.entries.push(toEndpoint(entry));
      if (entry.fields.has('port')) block.hasPorts = true;
    }
    entry = null;
  };
  const closeBlock = (): void => {
    closeEntry();
    if (block !== null && (ENDPOINT_BLOCK_NAME.test(block.key) || block.hasPorts)) {
      blocks.set(block.key, block.entries);
    }
    block = null;
  };

  for (const line of lines.slice(1)) {
    const parsed = classifyLaunchdLine(line.text);
    // The cut-off last line of an excerpt is ignored unless it is a complete closing brace.
    if (line.mayBeCut && parsed.type !== 'close') break;
    if (depth === 0) {
      throw new ParseError({
        kind: KIND,
        command: COMMAND,
        line: line.number,
        expected: 'the end of the output after the closing "}"',
        got: line.text,
      });
    }
    switch (parsed.type) {
      case 'open':
        if (depth === 1) block = { key: parsed.key, depth: 1, entries: [], hasPorts: false };
        else if (depth === 2 && block !== null) entry = { name: parsed.key, fields: new Map() };
        depth++;
        break;
      case 'empty-block':
        if (depth === 1) {
          block = { key: parsed.key, depth: 1, entries: [], hasPorts: false };
          closeBlock();
        } else if (depth === 2 && block !== null) {
          entry = { name: parsed.key, fields: new Map() };
          closeEntry();
        }
        break;
      case 'close':
        if (depth === 3) closeEntry();
        else if (depth === 2) closeBlock();
        depth--;
        break;
      case 'value':
        if (depth === 1 && !values.has(parsed.key)) values.set(parsed.key, parsed.value);
        else if (depth === 3 && entry !== null) (entry as EntryFrame).fields.set(parsed.key, parsed.value);
        break;
      case 'other':
        // Flag lines such as "submitted job. ignore execute allowed" and "..." of trimmed excerpts.
        break;
    }
  }
  // An excerpt that ends inside a block still reports the endpoints read so far.
  closeBlock();

  const endpointBlocks = Object.fromEntries(blocks);
  return {
    domain: target.domain,
    label: target.label,
    type: values.get('type') ?? null,
    state: values.get('state') ?? null,
    pid: toPid(values.get('pid')),
    lastExitCode: toExitCode(values.get('last exit code')),
    program: values.get('program') ?? null,
    endpoints: blocks.get('endpoints') ?? [],
    dynamicEndpoints: blocks.get('dynamic endpoints') ?? [],
    endpointBlocks,
    values: Object.fromEntries(values),
  };
}

/** Splits `gui/501/com.vendor.helper` into domain `gui/501` and label `com.vendor.helper`. */
export function splitTarget(target: string): { domain: string; label: string } | null {
  const parts = target.split('/');
  // Per-user and per-session domains carry a number: gui/501, user/501, login/100015, pid/123.
  const domainParts = parts.length >= 3 && /^\d+$/.test(parts[1]!) ? 2 : 1;
  const domain = parts.slice(0, domainParts).join('/');
  const label = parts.slice(domainParts).join('/');
  if (domain === '' || label === '') return null;
  return { domain, label };
}

function toEndpoint(entry: EntryFrame): LaunchdEndpoint {
  const flag = (key: string): boolean => entry.fields.get(key) === '1';
  return {
    name: entry.name,
    port: entry.fields.get('port') ?? null,
    active: flag('active'),
    managed: flag('managed'),
    watching: flag('watching'),
  };
}

function toPid(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : null;
}

function toExitCode(value: string | undefined): number | string | null {
  if (value === undefined || value === '(never exited)') return null;
  return /^-?\d{1,9}$/.test(value) ? Number(value) : value;
}
