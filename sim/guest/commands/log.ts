// /usr/bin/log show, log stream (macos-outputs §4) and log config (log/config.ts): predicate filter,
// --info/--debug levels, --start/--end/--last windows and the four styles. `log show` reads the store
// (<guest>/unified-log.ndjson: persisted lines only); `log stream` sees every line as it is logged.
import { readFile } from 'node:fs/promises';
import { logConfig } from '../log/config.ts';
import {
  COMPACT_HEADER,
  DEFAULT_HEADER,
  formatFooter,
  formatJson,
  formatRow,
  type LogStyle,
} from '../log/format.ts';
import {
  evaluatePredicate,
  formatPredicate,
  type Predicate,
  PredicateError,
  parsePredicate,
} from '../log/predicate.ts';
import type { Machine } from '../machine.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';
import type { StoredLogLine } from '../unified-log.ts';

const STYLES: LogStyle[] = ['default', 'compact', 'json', 'ndjson'];

// [RECONSTRUCTED] log's usage summary (the real one is longer).
const USAGE =
  'usage:\n    log <command>\n\nglobal options:\n    -?, --help\n    -q, --quiet\n    -v, --verbose\n\ncommands:\n    collect         gather system logs into a log archive\n    config          view/change logging system settings\n    erase           delete system logging data\n    show            view/search system logs\n    stream          watch live system logs\n    stats           show system logging statistics\n\nfurther help:\n    log help <command>\n    log help predicates\n';

interface LogOptions {
  style: LogStyle;
  info: boolean;
  debug: boolean;
  predicate?: Predicate;
  startMs?: number;
  endMs?: number;
  lastMs?: number;
  timeoutMs?: number;
}

function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text);
  if (!m) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2]!] ?? 1;
  return Number(m[1]) * unit * 1000;
}

/** `YYYY-MM-DD[ HH:MM[:SS]][±ZZZZ]` in the guest's zone (UTC). */
function dateMs(text: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\d)(?:[ T](\d\d:\d\d(?::\d\d)?))?(?:\s*([+-]\d\d)(\d\d))?$/.exec(text.trim());
  if (!m) return undefined;
  const time = m[2] ?? '00:00:00';
  const offset = m[3] ? `${m[3]}:${m[4]}` : 'Z';
  const ms = Date.parse(`${m[1]}T${time.length === 5 ? `${time}:00` : time}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseOptions(args: string[], mode: 'show' | 'stream'): LogOptions | string {
  const options: LogOptions = { style: 'default', info: false, debug: false };
  for (let k = 0; k < args.length; k++) {
    let arg = args[k]!;
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const take = () => value ?? args[++k];
    switch (arg) {
      case '--style': {
        const style = take();
        if (!STYLES.includes(style as LogStyle)) return `log: Invalid style: ${style ?? ''}\n`;
        options.style = style as LogStyle;
        break;
      }
      case '--info':
        options.info = true;
        break;
      case '--debug':
        options.info = true;
        options.debug = true;
        break;
      case '--level': {
        const level = take();
        if (level === 'debug') options.debug = options.info = true;
        else if (level === 'info') options.info = true;
        else if (level !== 'default') return `log: Invalid level: ${level ?? ''}\n`;
        break;
      }
      case '--predicate': {
        const text = take() ?? '';
        try {
          options.predicate = options.predicate
            ? { kind: 'and', left: options.predicate, right: parsePredicate(text) }
            : parsePredicate(text);
        } catch (error) {
          if (error instanceof PredicateError) {
            // [RECONSTRUCTED] log's message for a predicate it cannot parse.
            return `log: Invalid predicate: Unable to parse the format string "${text}" (${error.reason})\n`;
          }
          throw error;
        }
        break;
      }
      case '--start':
      case '--end': {
        const text = take() ?? '';
        const ms = dateMs(text);
        if (ms === undefined) return `log: Invalid date: ${text}\n`;
        if (arg === '--start') options.startMs = ms;
        else options.endMs = ms;
        break;
      }
      case '--last': {
        const text = take() ?? '';
        const ms = durationMs(text);
        if (ms === undefined) return `log: Invalid duration: ${text}\n`;
        options.lastMs = ms;
        break;
      }
      case '--timeout': {
        const text = take() ?? '';
        const ms = durationMs(text);
        if (ms === undefined || mode !== 'stream') return `log: Invalid timeout: ${text}\n`;
        options.timeoutMs = ms;
        break;
      }
      case '--source':
      case '--no-pager':
      case '--color':
      case '--signpost':
      case '--process':
        // Accepted and ignored (the sim has no backtraces, pager or colours).
        if (arg === '--color' || arg === '--process') take();
        break;
      default:
        return `log: Unknown option: ${arg}\n${USAGE}`;
    }
  }
  return options;
}

const lineMs = (line: StoredLogLine) => Date.parse(`${line.timestamp.slice(0, 23).replace(' ', 'T')}Z`);

function wanted(options: LogOptions, line: StoredLogLine): boolean {
  if (line.messageType === 'Info' && !options.info) return false;
  if (line.messageType === 'Debug' && !options.debug) return false;
  return !options.predicate || evaluatePredicate(options.predicate, line);
}

function parseStore(text: string): StoredLogLine[] {
  const lines: StoredLogLine[] = [];
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    try {
      lines.push(JSON.parse(raw) as StoredLogLine);
    } catch {
      // A line cut by a power-off mid-append: logd would lose it too.
    }
  }
  return lines;
}

function preamble(options: LogOptions, mode: 'show' | 'stream'): string {
  let out = options.predicate ? `Filtering the log data using "${formatPredicate(options.predicate)}"\n` : '';
  if (mode === 'show' && !options.info && !options.debug)
    out += 'Skipping info and debug messages, pass --info and/or --debug to include.\n';
  else if (mode === 'show' && !options.debug) out += 'Skipping debug messages, pass --debug to include.\n';
  if (options.style === 'default') out += DEFAULT_HEADER;
  if (options.style === 'compact') out += COMPACT_HEADER;
  return out;
}

async function readStore(machine: Machine): Promise<StoredLogLine[]> {
  await machine.log.flush().catch(() => {});
  return parseStore(await readFile(machine.log.file, 'utf8').catch(() => ''));
}

async function show(ctx: CommandContext, options: LogOptions) {
  const now = ctx.machine.now().getTime();
  const from = options.lastMs !== undefined ? now - options.lastMs : options.startMs;
  const lines = (await readStore(ctx.machine)).filter((line) => {
    const ms = lineMs(line);
    if (from !== undefined && ms < from) return false;
    if (options.endMs !== undefined && ms > options.endMs) return false;
    return wanted(options, line);
  });
  let out = preamble(options, 'show');
  if (options.style === 'json') out += formatJson(lines);
  else for (const line of lines) out += formatRow(options.style, line);
  if (options.style === 'default') out += formatFooter(lines);
  return ok(out);
}

/**
 * Prints every line logged from now on until the channel closes or --timeout passes. A stream that
 * asks for --level info/debug sees those lines even when the subsystem's profile keeps them out of
 * the store (logd raises collection for a live reader).
 */
async function stream(ctx: CommandContext, options: LogOptions) {
  const machine = ctx.machine;
  let out = '';
  const emit = (text: string) => {
    if (ctx.stream) ctx.stream(text);
    else out += text;
  };
  emit(preamble(options, 'stream'));
  const signals = [ctx.signal];
  if (options.timeoutMs !== undefined) signals.push(AbortSignal.timeout(options.timeoutMs));
  const signal = AbortSignal.any(signals);
  let first = true;
  if (options.style === 'json') emit('[');
  const unsubscribe = machine.log.subscribe((line) => {
    if (signal.aborted || !wanted(options, line)) return;
    if (options.style === 'json') {
      emit(`${first ? '' : ','}${formatJson([line]).slice(1, -2)}`);
      first = false;
    } else emit(formatRow(options.style, line));
  });
  try {
    if (!signal.aborted)
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    unsubscribe();
  }
  if (options.style === 'json') emit(']\n');
  return ok(out);
}

async function log(ctx: CommandContext) {
  const [, command, ...rest] = ctx.argv;
  if (command === 'config') return logConfig(ctx, rest);
  if (command !== 'show' && command !== 'stream') return fail(USAGE, 64);
  const options = parseOptions(rest, command);
  if (typeof options === 'string') return fail(options, 64);
  return command === 'show' ? show(ctx, options) : stream(ctx, options);
}

export const logCommands: CommandTable = { log };
