import { splitLines } from './lines.ts';
import { parseRows } from './row-loop.ts';

/** One service of `scutil --nc list`. */
export interface NetworkConnectionService {
  /** The leading `*`: enabled in the current set. */
  readonly enabled: boolean;
  /** As printed in parentheses: `Connected`, `Disconnected`, ... */
  readonly status: string;
  /** Service UUID. */
  readonly id: string;
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
// `* (<status>) <uuid> `; the rest (`<type> "<name>" [<subtype>]`) is split by hand, in linear time.
const ROW_START = /^(\*)?\s*\(([^)]*)\)\s+([0-9A-Fa-f]{8}-[0-9A-Fa-f-]{27})\s+/;

export function parseScutilNcList(text: string): ScutilNcList {
  const services = parseRows(splitLines(text), {
    kind: KIND,
    command: COMMAND,
    expected: 'a service row "* (<status>) <uuid> <type> "<name>" [<subtype>]"',
    skip: (line) => line.text.trim() === '' || TITLE.test(line.text.trim()),
    row: (line) => parseRow(line.text),
  });
  return { services };
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
  const type = head.slice(0, firstQuote).trim();
  if (type === '') return null;
  return {
    enabled: start[1] === '*',
    status: start[2]!,
    id: start[3]!,
    type,
    providerBundleId: /^VPN \((.+)\)$/.exec(type)?.[1] ?? null,
    name: head.slice(firstQuote + 1, -1),
    subtype: rest.slice(open + 1, -1),
  };
}
