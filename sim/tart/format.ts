// Output formats of tart's Formatter: a plain text table and JSONEncoder's `.prettyPrinted` JSON,
// whose key order is arbitrary because Swift dictionaries hash with a per-process seed.

export type JsonScalar = string | number | boolean;
export type JsonRecord = Record<string, JsonScalar>;

/**
 * Columns padded to their widest cell and separated by one space; the last column is not padded.
 * Reconstructed from the table in tart issue #1217 (no trailing blanks on the lines).
 */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!)))
        .join(' ')
        .trimEnd(),
    )
    .join('\n');
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function renderObject(object: JsonRecord, indent: string, random: () => number): string {
  const inner = `${indent}  `;
  const lines = shuffled(Object.keys(object), random).map(
    (key) => `${inner}${JSON.stringify(key)} : ${JSON.stringify(object[key])}`,
  );
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

/** One object as `JSONEncoder` with `.prettyPrinted` writes it, keys in a random order. */
export function swiftJsonObject(object: JsonRecord, random: () => number = Math.random): string {
  return renderObject(object, '', random);
}

/** An array of objects; every object gets its own key order, as in tart's real output. */
export function swiftJsonArray(objects: readonly JsonRecord[], random: () => number = Math.random): string {
  // Reconstructed: Foundation pretty-prints an empty array as an opening and a closing line.
  if (objects.length === 0) return '[\n\n]';
  return `[\n${objects.map((o) => `  ${renderObject(o, '  ', random)}`).join(',\n')}\n]`;
}

/**
 * Foundation's RelativeDateTimeFormatter (`.full`) for past dates: `3 minutes ago`, `1 hour ago`.
 * Reconstructed: a date less than a second ago reads `in 0 seconds`, as Foundation prints it.
 */
export function relativeTime(date: Date, now: Date = new Date()): string {
  const seconds = Math.floor((now.getTime() - date.getTime()) / 1000);
  if (seconds <= 0) return 'in 0 seconds';
  const units: [string, number][] = [
    ['year', 365 * 86_400],
    ['month', 30 * 86_400],
    ['week', 7 * 86_400],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
    ['second', 1],
  ];
  for (const [unit, size] of units) {
    const count = Math.floor(seconds / size);
    if (count >= 1) return `${count} ${unit}${count === 1 ? '' : 's'} ago`;
  }
  return 'in 0 seconds';
}

/** ISO-8601 in UTC without fractions, as JSONEncoder's `.iso8601` strategy writes dates. */
export function iso8601(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
