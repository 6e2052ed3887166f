// Argument parsing shaped like swift-argument-parser 1.6.1, which real tart uses: options may come
// before or after positionals (except for `exec`), and the parse errors read and exit like its own.
import { TartValidationError } from './errors.ts';

export interface PositionalSpec {
  /** Value name as shown in usage, without brackets: `name` -> `<name>`. */
  name: string;
  help: string;
  optional?: boolean;
  /** Takes every remaining positional (`tart delete <name> ...`). */
  repeating?: boolean;
}

export interface OptionSpec {
  long: string;
  short?: string;
  /** Value name for options that take a value (`wait` -> `--wait <wait>`); omitted for flags. */
  value?: string;
  /** A flag with an inversion, shown as `--[no-]name`. */
  inversion?: boolean;
  repeatable?: boolean;
  help: string;
  /** Allowed values of an enum option (swift: an ExpressibleByArgument enum). */
  choices?: readonly string[];
  /** The value must be an integer in this range (swift: Int/UInt16 options). */
  integer?: { min: number; max: number };
}

export interface CommandSpec {
  name: string;
  abstract: string;
  positionals: PositionalSpec[];
  options: OptionSpec[];
  /** Everything after the first positional goes to `rest` unparsed (`tart exec`). */
  passthrough?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  rest: string[];
  /** Flags by long name; `false` when given as `--no-<name>`. */
  flags: Map<string, boolean>;
  /** Option values by long name, in the order given. */
  values: Map<string, string[]>;
  help: boolean;
}

export function flag(args: ParsedArgs, long: string): boolean {
  return args.flags.get(long) ?? false;
}

export function optionValue(args: ParsedArgs, long: string): string | undefined {
  const all = args.values.get(long);
  return all?.[all.length - 1];
}

export function optionValues(args: ParsedArgs, long: string): string[] {
  return args.values.get(long) ?? [];
}

export function intOption(args: ParsedArgs, long: string): number | undefined {
  const value = optionValue(args, long);
  return value === undefined ? undefined : Number(value);
}

function optionLabel(option: OptionSpec): string {
  if (option.value) return `--${option.long} <${option.value}>`;
  return option.inversion ? `--[no-]${option.long}` : `--${option.long}`;
}

function positionalLabel(positional: PositionalSpec): string {
  const base = `<${positional.name}>${positional.repeating ? ' ...' : ''}`;
  return positional.optional ? `[${base}]` : base;
}

/** The synopsis after `tart`, e.g. `ip <name> [--wait <wait>] [--resolver <resolver>]`. */
export function synopsis(spec: CommandSpec): string {
  const positionals = spec.positionals.map(positionalLabel);
  const options = spec.options.map((o) => `[${optionLabel(o)}${o.repeatable ? ' ...' : ''}]`);
  const full = [spec.name, ...positionals, ...options].join(' ');
  // Reconstructed from swift-argument-parser: a synopsis longer than 80 columns collapses the options.
  if (`tart ${full}`.length <= 80) return full;
  return [spec.name, '[<options>]', ...positionals].join(' ');
}

/** The lines swift-argument-parser prints after an `Error:` line. */
export function usageBlock(spec: CommandSpec): string {
  return `Usage: tart ${synopsis(spec)}\n  See 'tart ${spec.name} --help' for more information.\n`;
}

export function helpText(spec: CommandSpec): string {
  const rows: [string, string][] = [];
  const lines = [`OVERVIEW: ${spec.abstract}`, '', `USAGE: tart ${synopsis(spec)}`, ''];
  if (spec.positionals.length > 0) {
    lines.push('ARGUMENTS:');
    for (const p of spec.positionals) rows.push([`<${p.name}>`, p.help]);
  }
  const optionRows: [string, string][] = spec.options.map((o) => [
    `${o.short ? `-${o.short}, ` : ''}${optionLabel(o)}`,
    o.help,
  ]);
  optionRows.push(['-h, --help', 'Show help information.']);
  const width = Math.max(...[...rows, ...optionRows].map(([label]) => label.length)) + 4;
  const render = ([label, help]: [string, string]) => `  ${label.padEnd(width)}${help}`.trimEnd();
  lines.push(...rows.map(render));
  if (rows.length > 0) lines.push('');
  lines.push('OPTIONS:', ...optionRows.map(render), '');
  return `${lines.join('\n')}\n`;
}

function looksLikeOption(token: string): boolean {
  return token.startsWith('-') && token !== '-' && !/^-\d/.test(token);
}

function invalidValue(option: OptionSpec, value: string): TartValidationError {
  return new TartValidationError(`The value '${value}' is invalid for '${optionLabel(option)}'`);
}

function checkValue(option: OptionSpec, value: string): void {
  if (option.choices && !option.choices.includes(value)) throw invalidValue(option, value);
  if (option.integer) {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || n < option.integer.min || n > option.integer.max) {
      throw invalidValue(option, value);
    }
  }
}

/** Parses argv (after the subcommand name); throws TartValidationError with swift's wording. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], rest: [], flags: new Map(), values: new Map(), help: false };
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (spec.passthrough && parsed.positionals.length > 0) {
      parsed.rest.push(...argv.slice(i));
      break;
    }
    if (onlyPositionals || !looksLikeOption(token)) {
      parsed.positionals.push(token);
      continue;
    }
    if (token === '--') {
      onlyPositionals = true;
      continue;
    }
    if (token === '--help' || token === '-h') {
      parsed.help = true;
      continue;
    }
    const isLong = token.startsWith('--');
    const eq = isLong ? token.indexOf('=') : -1;
    const name = eq >= 0 ? token.slice(2, eq) : token.slice(isLong ? 2 : 1);
    let option = isLong
      ? spec.options.find((o) => o.long === name)
      : spec.options.find((o) => o.short === name);
    let inverted = false;
    if (!option && isLong && name.startsWith('no-')) {
      option = spec.options.find((o) => o.inversion && o.long === name.slice(3));
      inverted = option !== undefined;
    }
    if (!option) throw new TartValidationError(`Unknown option '${eq >= 0 ? token.slice(0, eq) : token}'`);
    if (!option.value) {
      if (eq >= 0) throw new TartValidationError(`Unknown option '${token}'`);
      parsed.flags.set(option.long, !inverted);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) {
      value = token.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || looksLikeOption(next)) {
        throw new TartValidationError(`Missing value for '${optionLabel(option)}'`);
      }
      value = next;
      i++;
    }
    checkValue(option, value);
    const list = parsed.values.get(option.long) ?? [];
    list.push(value);
    parsed.values.set(option.long, list);
  }
  if (parsed.help) return parsed;
  const required = spec.positionals.filter((p) => !p.optional);
  if (parsed.positionals.length < required.length) {
    const missing = required[parsed.positionals.length]!;
    throw new TartValidationError(
      `Missing expected argument '<${missing.name}>'`,
      `Help:  <${missing.name}>  ${missing.help}`,
    );
  }
  const repeating = spec.positionals.some((p) => p.repeating);
  if (!repeating && !spec.passthrough && parsed.positionals.length > spec.positionals.length) {
    const extra = parsed.positionals.slice(spec.positionals.length);
    throw new TartValidationError(
      extra.length === 1
        ? `Unexpected argument '${extra[0]}'`
        : `${extra.length} unexpected arguments: ${extra.map((e) => `'${e}'`).join(', ')}`,
    );
  }
  return parsed;
}
