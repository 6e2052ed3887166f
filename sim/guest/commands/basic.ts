// Shell basics: echo, printf, true, false, sleep, date.
import { setTimeout as delay } from 'node:timers/promises';
import { type CommandTable, fail, ok } from '../shell/types.ts';

function unescapeEcho(text: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const e = text[++i]!;
    const map: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
      '\\': '\\',
      e: '\x1b',
    };
    if (e === 'c') return { text: out, stop: true };
    if (map[e] !== undefined) out += map[e];
    else if (e === '0') {
      const oct = /^[0-7]{0,3}/.exec(text.slice(i + 1))?.[0] ?? '';
      out += String.fromCharCode(Number.parseInt(oct || '0', 8));
      i += oct.length;
    } else out += `\\${e}`;
  }
  return { text: out, stop: false };
}

function printfFormat(format: string, args: string[]): string {
  let out = '';
  let k = 0;
  // The format is reused while arguments remain, as printf(1) does.
  do {
    const start = k;
    out += format.replace(/%([-+ 0#]*\d*(?:\.\d+)?)([sdiuxXo%cb])/g, (_m, flags: string, conv: string) => {
      if (conv === '%') return '%';
      const arg = args[k++] ?? '';
      let value: string;
      if (conv === 's' || conv === 'c') value = conv === 'c' ? arg.slice(0, 1) : arg;
      else if (conv === 'b') value = unescapeEcho(arg).text;
      else {
        const num = Math.trunc(Number(arg) || 0);
        value =
          conv === 'x'
            ? num.toString(16)
            : conv === 'X'
              ? num.toString(16).toUpperCase()
              : conv === 'o'
                ? num.toString(8)
                : String(num);
      }
      const width = Number(/\d+/.exec(flags.replace(/^[-+ #]*0?/, ''))?.[0] ?? 0);
      if (value.length < width) {
        value = flags.includes('-')
          ? value.padEnd(width)
          : value.padStart(width, flags.startsWith('0') && conv !== 's' ? '0' : ' ');
      }
      return value;
    });
    if (k === start) break;
  } while (k < args.length);
  return unescapeEcho(out).text;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** strftime for the UTC guest clock (the guest's zone is UTC). */
export function strftime(format: string, d: Date): string {
  return format.replace(/%([a-zA-Z%])/g, (m, c: string) => {
    switch (c) {
      case 'Y':
        return String(d.getUTCFullYear());
      case 'y':
        return pad(d.getUTCFullYear() % 100);
      case 'm':
        return pad(d.getUTCMonth() + 1);
      case 'd':
        return pad(d.getUTCDate());
      case 'e':
        return String(d.getUTCDate()).padStart(2, ' ');
      case 'H':
        return pad(d.getUTCHours());
      case 'M':
        return pad(d.getUTCMinutes());
      case 'S':
        return pad(d.getUTCSeconds());
      case 's':
        return String(Math.floor(d.getTime() / 1000));
      case 'j':
        return pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1, 3);
      case 'a':
        return DAYS[d.getUTCDay()]!;
      case 'b':
        return MONTHS[d.getUTCMonth()]!;
      case 'Z':
        return 'UTC';
      case 'z':
        return '+0000';
      case 'F':
        return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
      case 'T':
        return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
      case '%':
        return '%';
      default:
        return m;
    }
  });
}

export const basicCommands: CommandTable = {
  async true() {
    return ok();
  },
  async false() {
    return { exitCode: 1 };
  },
  // zsh's builtin echo interprets backslash escapes unless -E is given.
  async echo({ argv }) {
    let args = argv.slice(1);
    let newline = true;
    let escapes = true;
    while (args[0] && /^-[neE]+$/.test(args[0])) {
      const flag = args[0];
      if (flag.includes('n')) newline = false;
      if (flag.includes('E')) escapes = false;
      if (flag.includes('e')) escapes = true;
      args = args.slice(1);
    }
    const joined = args.join(' ');
    const { text, stop } = escapes ? unescapeEcho(joined) : { text: joined, stop: false };
    return ok(text + (newline && !stop ? '\n' : ''));
  },
  async printf({ argv }) {
    const [, format, ...args] = argv;
    if (format === undefined) return fail('printf: usage: printf [-v var] format [args]\n');
    return ok(printfFormat(format, args));
  },
  async sleep({ argv, signal }) {
    const seconds = Number(argv[1]);
    if (argv.length !== 2 || !(seconds >= 0)) return fail('usage: sleep seconds\n');
    try {
      // `sleep` is what the caller asked for, not a modelled delay: it is never scaled.
      await delay(seconds * 1000, undefined, { signal });
    } catch {
      return { exitCode: 130 };
    }
    return ok();
  },
  async date(ctx) {
    const argv = ctx.argv;
    const format = argv.slice(1).find((a) => a.startsWith('+'));
    const operands = argv.slice(1).filter((a) => !a.startsWith('+') && !/^-[ujn]+$/.test(a));
    const usage = `usage: date [-jnRu] [-I[date|hours|minutes|seconds]] [-f input_fmt]\n            [-r filename|seconds] [-v[+|-]val[y|m|w|d|H|M|S]]\n            [[[[mm]dd]HH]MM[[cc]yy][.SS] | new_date] [+output_fmt]\n`;
    if (operands.length > 1 || operands[0]?.startsWith('-'))
      return fail(`date: illegal time format\n${usage}`);
    const setTo = operands[0];
    if (setTo !== undefined) {
      // date [-u] MMDDhhmm[[CC]YY][.ss]: sets the clock (root only), then prints it.
      const m = /^(\d\d)(\d\d)(\d\d)(\d\d)((?:\d\d)?\d\d)?(?:\.(\d\d))?$/.exec(setTo);
      if (!m) return fail(`date: illegal time format\n${usage}`);
      const now = ctx.machine.now();
      const year =
        m[5] === undefined ? now.getUTCFullYear() : m[5].length === 2 ? 2000 + Number(m[5]) : Number(m[5]);
      const target = Date.UTC(
        year,
        Number(m[1]) - 1,
        Number(m[2]),
        Number(m[3]),
        Number(m[4]),
        Number(m[6] ?? 0),
      );
      if (Number.isNaN(target)) return fail(`date: illegal time format\n${usage}`);
      if (!argv.includes('-j')) {
        if (ctx.user.uid !== 0) return fail('date: settimeofday (timeval): Operation not permitted\n');
        await ctx.machine.mutate((state) => {
          state.clockOffsetMs = target - Date.now();
        });
      }
      return ok(`${strftime(format ? format.slice(1) : '%a %b %e %T %Z %Y', new Date(target))}\n`);
    }
    return ok(`${strftime(format ? format.slice(1) : '%a %b %e %T %Z %Y', ctx.machine.now())}\n`);
  },
};
