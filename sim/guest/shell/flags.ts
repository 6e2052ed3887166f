// BSD-style option parsing: clustered single-letter flags up to the first operand or `--`.

export interface ParsedFlags {
  flags: Set<string>;
  /** Values of flags that take an argument (-a 256). */
  values: Map<string, string>;
  operands: string[];
  /** The first unknown flag letter, if any. */
  illegal?: string;
}

export function parseFlags(args: string[], allowed: string, withValue = ''): ParsedFlags {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  let k = 0;
  while (k < args.length) {
    const arg = args[k]!;
    if (arg === '--') {
      k++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    k++;
    for (let i = 1; i < arg.length; i++) {
      const letter = arg[i]!;
      if (withValue.includes(letter)) {
        const value = arg.slice(i + 1) || args[k++];
        if (value === undefined) return { flags, values, operands: [], illegal: letter };
        values.set(letter, value);
        break;
      }
      if (!allowed.includes(letter)) return { flags, values, operands: [], illegal: letter };
      flags.add(letter);
    }
  }
  return { flags, values, operands: args.slice(k) };
}
