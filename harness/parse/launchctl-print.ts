import { classifyLaunchdLine } from './launchd-blocks.ts';
import { type LineParser, type ParseOptions, type ParseOutput, parseWith } from './line-parser.ts';
import type { SourceLine } from './lines.ts';
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
  /**
   * From the header line, e.g. `gui/501` or `system`. Older releases print no domain there: then it
   * comes from the `domain =` line (`com.apple.xpc.launchd.domain.system` gives `system`).
   */
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
// Older releases print the domain as launchd's internal name.
const INTERNAL_DOMAIN = /^com\.apple\.xpc\.launchd\.domain\.(system|(?:user|gui|login|pid)\.\d+)$/;
// `system = {` opens a whole domain (launchctl-print-domain), not one service.
const DOMAIN_ONLY = /^(?:system|\{)$/;
// Top-level keys and blocks kept; a real service prints under a hundred.
const MAX_KEYS = 10_000;

interface BlockFrame {
  readonly key: string;
  /** The list its entries go to: one per block, so that a repeated key replaces the earlier block. */
  readonly list: string;
  hasPorts: boolean;
}

interface EntryFrame {
  readonly name: string;
  readonly fields: Map<string, string>;
}

/** The line parser behind parseLaunchctlPrint; endpoints go to one list per block. */
export function launchctlPrintReader(out: ParseOutput): LineParser<LaunchctlPrint> {
  let target: { domain: string | null; label: string } | null = null;
  const values = new Map<string, string>();
  const blocks = new Map<string, string>();
  let blockCount = 0;
  // Depth of nesting: 1 inside the service's own braces.
  let depth = 1;
  let block: BlockFrame | null = null;
  let entry: EntryFrame | null = null;
  let lastLine = 0;
  let cut = false;

  const closeEntry = (): void => {
    if (block !== null && entry !== null) {
      out.push(block.list, toEndpoint(entry));
      if (entry.fields.has('port')) block.hasPorts = true;
    }
    entry = null;
  };
  const closeBlock = (): void => {
    closeEntry();
    if (block !== null && (ENDPOINT_BLOCK_NAME.test(block.key) || block.hasPorts)) {
      if (blocks.size < MAX_KEYS || blocks.has(block.key)) blocks.set(block.key, block.list);
    }
    block = null;
  };
  const openBlock = (key: string): BlockFrame => ({ key, list: `block ${blockCount++}`, hasPorts: false });

  const header = (line: SourceLine): void => {
    const match = HEADER.exec(line.text);
    const split = match === null ? null : splitTarget(match[1]!);
    if (split !== null) target = split;
    else if (match !== null && !match[1]!.includes('/') && !DOMAIN_ONLY.test(match[1]!)) {
      // Older releases: "com.vendor.helper = {" with the domain only in the "domain =" line.
      target = { domain: null, label: match[1]! };
      out.warn(
        'older-layout',
        line.number,
        'the header names no domain: the domain comes from the "domain =" line',
      );
    } else {
      throw new ParseError({
        kind: KIND,
        command: COMMAND,
        line: line.number,
        expected: 'a service header "<domain>/<label> = {"',
        got: line.text,
      });
    }
  };

  return {
    line(line) {
      if (cut || line.text.trim() === '') return;
      lastLine = line.number;
      if (target === null) {
        header(line);
        return;
      }
      const parsed = classifyLaunchdLine(line.text);
      // The cut-off last line of an excerpt is ignored unless it is a complete closing brace.
      if (line.mayBeCut && parsed.type !== 'close') {
        cut = true;
        return;
      }
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
          if (depth === 1) block = openBlock(parsed.key);
          else if (depth === 2 && block !== null) entry = { name: parsed.key, fields: new Map() };
          depth++;
          break;
        case 'empty-block':
          if (depth === 1) {
            block = openBlock(parsed.key);
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
          if (depth === 1 && !values.has(parsed.key)) {
            if (values.size < MAX_KEYS) values.set(parsed.key, parsed.value);
            else
              out.warn(
                'too-many-keys',
                line.number,
                `more than ${MAX_KEYS} top-level keys: "${parsed.key}" was dropped`,
              );
          } else if (depth === 3 && entry !== null)
            (entry as EntryFrame).fields.set(parsed.key, parsed.value);
          break;
        case 'other':
          // Flag lines such as "submitted job. ignore execute allowed" and "..." of trimmed excerpts.
          break;
      }
    },
    end(lines) {
      if (target === null) {
        throw new ParseError({
          kind: KIND,
          command: COMMAND,
          line: lines + 1,
          expected: 'a service header "<domain>/<label> = {"',
          got: null,
        });
      }
      // An excerpt that ends inside a block still reports the endpoints read so far.
      if (cut || depth > 0) {
        out.warn(
          'truncated',
          cut ? lastLine : lines + 1,
          `the output ends ${depth > 0 ? `inside ${depth} open block(s)` : 'in a cut line'}: later keys are missing`,
        );
      }
      closeBlock();
      const { domain, label } = target as { domain: string | null; label: string };
      const domainLine = values.get('domain');
      const internal = domainLine === undefined ? null : INTERNAL_DOMAIN.exec(domainLine);
      if (internal !== null) out.warn('older-layout', lines + 1, `domain printed as ${domainLine}`);
      const list = (key: string): LaunchdEndpoint[] => {
        const name = blocks.get(key);
        return name === undefined ? [] : out.list<LaunchdEndpoint>(name);
      };
      return {
        domain: domain ?? (internal !== null ? internal[1]!.replace('.', '/') : (domainLine ?? '')),
        label,
        type: values.get('type') ?? null,
        state: values.get('state') ?? null,
        pid: toPid(values.get('pid')),
        lastExitCode: toExitCode(values.get('last exit code')),
        program: values.get('program') ?? null,
        endpoints: list('endpoints'),
        dynamicEndpoints: list('dynamic endpoints'),
        endpointBlocks: Object.fromEntries([...blocks.keys()].map((key) => [key, list(key)])),
        values: Object.fromEntries(values),
      };
    },
  };
}

/** Parses `launchctl print <domain>/<label>` (one service, not a whole domain). */
export function parseLaunchctlPrint(text: string, options?: ParseOptions): LaunchctlPrint {
  return parseWith(launchctlPrintReader, text, { kind: KIND, command: COMMAND }, options);
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
