import { type LineParser, type ParseOptions, type ParseOutput, parseWith } from './line-parser.ts';
import { rowReader } from './row-loop.ts';

/** One service of `scutil --nc list`. */
export interface NetworkConnectionService {
  /** The leading `*`: enabled in the current set. */
  readonly enabled: boolean;
  /** As printed in parentheses: `Connected`, `Disconnected`, ... */
  readonly status: string;
  /** Service UUID; null when the poster replaced it with text (`[uuid here]`, `A2......CC`) or removed it. */
  readonly id: string | null;
  /** Type column as printed: `PPP --> L2TP`, `VPN (io.nextdns.NextDNSMac)`. */
  readonly type: string;
  /** The provider bundle ID of an NE VPN (`VPN (<bundle id>)`), else null. */
  readonly providerBundleId: string | null;
  readonly name: string;
  /** The bracketed subtype: `PPP:L2TP`, `VPN:io.nextdns.NextDNSMac`. */
  readonly subtype: string;
}

export interface ScutilNcList {
  readonly services: NetworkConnectionService[];
}

const KIND = 'scutil-nc-list';
const COMMAND = 'scutil --nc list';
const TITLE = /^Available network connection services in the current set \(\*=enabled\):$/;
// `* (<status>) `; the rest (`<uuid> <type> "<name>" [<subtype>]`) is split by hand, in linear time.
const ROW_START = /^(\*)?\s*\(([^)]*)\)\s+/;
const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?=\s)/;
// Types scutil prints; when one opens the row, the poster removed the UUID.
const TYPE_START = /^(?:PPP|VPN|IPSec|IKEv2|L2TP|PPTP|Cisco)\b/;

/** The line parser behind parseScutilNcList; services go to the `services` list. */
export function scutilNcListReader(out: ParseOutput): LineParser<ScutilNcList> {
  const rows = rowReader(out, {
    kind: KIND,
    command: COMMAND,
    list: 'services',
    expected: 'a service row "* (<status>) <uuid> <type> "<name>" [<subtype>]"',
    skip: (line) => line.text.trim() === '' || TITLE.test(line.text.trim()),
    row: (line) => {
      const row = parseRow(line.text);
      if (row?.id === null) {
        out.warn(
          'redacted-id',
          line.number,
          `service "${row.name}" has no UUID (replaced with text or removed): id is null`,
        );
      }
      return row;
    },
  });
  return {
    line: (line) => rows.line(line),
    end: () => ({ services: out.list<NetworkConnectionService>('services') }),
  };
}

export function parseScutilNcList(text: string, options?: ParseOptions): ScutilNcList {
  return parseWith(scutilNcListReader, text, { kind: KIND, command: COMMAND }, options);
}

function parseRow(text: string): NetworkConnectionService | null {
  const start = ROW_START.exec(text);
  if (start === null || !text.endsWith(']')) return null;
  const rest = text.slice(start[0].length);
  const open = rest.lastIndexOf('[');
  const head = rest.slice(0, open).trimEnd();
  // The type holds no quotes; the name is everything between the first and the last quote.
  const firstQuote = head.indexOf('"');
  if (open < 0 || firstQuote < 0 || !head.endsWith('"') || head.length - 1 === firstQuote) return null;
  const before = head.slice(0, firstQuote).trim();
  const split = splitId(before);
  if (split === null || split.type === '') return null;
  return {
    enabled: start[1] === '*',
    status: start[2]!,
    id: split.id,
    type: split.type,
    providerBundleId: /^VPN \((.+)\)$/.exec(split.type)?.[1] ?? null,
    name: head.slice(firstQuote + 1, -1),
    subtype: rest.slice(open + 1, -1),
  };
}

/** `<uuid> <type>`; a redacted id is a `[...]` group or one word before the type, a removed one is absent. */
function splitId(text: string): { id: string | null; type: string } | null {
  const uuid = UUID.exec(text);
  if (uuid !== null) return { id: uuid[0], type: text.slice(uuid[0].length).trim() };
  if (TYPE_START.test(text)) return { id: null, type: text };
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    return close < 0 ? null : { id: null, type: text.slice(close + 1).trim() };
  }
  const space = text.search(/\s/);
  return space < 0 ? null : { id: null, type: text.slice(space).trim() };
}
