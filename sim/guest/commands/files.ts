// File tools with the BSD error texts: cat, ls, mkdir, rm, cp, mv, touch, chmod, test / [, stat,
// shasum, ln -s, readlink. Every path is a guest path; errors name the argument as typed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { GuestFsError } from '../errors.ts';
import { consoleUser } from '../model/gui-session.ts';
import { parseFlags } from '../shell/flags.ts';
import { type CommandContext, type CommandResult, type CommandTable, fail, ok } from '../shell/types.ts';

function fsError(tool: string, arg: string, error: unknown): string {
  if (error instanceof GuestFsError) return `${tool}: ${arg}: ${error.reason}\n`;
  throw error;
}

async function openGuestFile(ctx: CommandContext, path: string) {
  const info = await ctx.fs.stat(path);
  const { guest, host } = ctx.fs.resolve(path);
  if (!info) throw new GuestFsError('ENOENT', guest);
  if (info.isDirectory()) throw new GuestFsError('EISDIR', guest);
  return createReadStream(host);
}

function illegal(tool: string, letter: string, usage: string): CommandResult {
  return fail(`${tool}: illegal option -- ${letter}\n${usage}\n`, tool === 'ls' ? 1 : 64);
}

async function evalTest(ctx: CommandContext, args: string[]): Promise<boolean | string> {
  if (args.length === 0) return false;
  if (args[0] === '!') {
    const inner = await evalTest(ctx, args.slice(1));
    return typeof inner === 'string' ? inner : !inner;
  }
  if (args.length === 1) return args[0] !== '';
  if (args.length === 2) {
    const [op, operand = ''] = args;
    const info = await ctx.fs.stat(operand);
    switch (op) {
      case '-e':
        return info !== undefined;
      case '-f':
        return info?.isFile() ?? false;
      case '-d':
        return info?.isDirectory() ?? false;
      case '-s':
        return (info?.size ?? 0) > 0;
      case '-r':
      case '-x':
        return info !== undefined;
      case '-w':
        return info !== undefined && !ctx.fs.writeDenial(ctx.fs.resolve(operand).guest);
      case '-L':
      case '-h':
        return (await ctx.fs.lstat(operand))?.isSymbolicLink() ?? false;
      case '-n':
        return operand !== '';
      case '-z':
        return operand === '';
      default:
        return `${op}: unary operator expected`;
    }
  }
  if (args.length === 3) {
    const [a = '', op, b = ''] = args;
    switch (op) {
      case '=':
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '-eq':
        return Number(a) === Number(b);
      case '-ne':
        return Number(a) !== Number(b);
      case '-lt':
        return Number(a) < Number(b);
      case '-le':
        return Number(a) <= Number(b);
      case '-gt':
        return Number(a) > Number(b);
      case '-ge':
        return Number(a) >= Number(b);
      default:
        return `${op}: binary operator expected`;
    }
  }
  return 'too many arguments';
}

async function test(ctx: CommandContext): Promise<CommandResult> {
  let args = ctx.argv.slice(1);
  if (ctx.argv[0] === '[' || ctx.argv[0]?.endsWith('/[')) {
    if (args[args.length - 1] !== ']') return fail('[: missing ]\n', 2);
    args = args.slice(0, -1);
  }
  const result = await evalTest(ctx, args);
  if (typeof result === 'string') return fail(`test: ${result}\n`, 2);
  return { exitCode: result ? 0 : 1 };
}

export const fileCommands: CommandTable = {
  async cat(ctx) {
    const args = ctx.argv.slice(1).filter((a) => a !== '-u');
    if (args.length === 0) return ok(await ctx.stdin());
    const out: Buffer[] = [];
    let stderr = '';
    for (const arg of args) {
      if (arg === '-') out.push(await ctx.stdin());
      else {
        try {
          out.push(await ctx.fs.readFile(arg));
        } catch (error) {
          stderr += fsError('cat', arg, error);
        }
      }
    }
    return { stdout: Buffer.concat(out), stderr, exitCode: stderr ? 1 : 0 };
  },
  async ls(ctx) {
    const { flags, operands, illegal: bad } = parseFlags(ctx.argv.slice(1), '1aAdlFR');
    if (bad)
      return illegal(
        'ls',
        bad,
        'usage: ls [-@ABCFGHILOPRSTUWabcdefghiklmnopqrstuvwxy1%,] [--color=when] [-D format] [file ...]',
      );
    const targets = operands.length ? operands : ['.'];
    let stdout = '';
    let stderr = '';
    const files: string[] = [];
    const dirs: string[] = [];
    for (const t of targets) {
      const info = await ctx.fs.stat(t);
      if (!info) stderr += `ls: ${t}: No such file or directory\n`;
      else if (info.isDirectory() && !flags.has('d')) dirs.push(t);
      else files.push(t);
    }
    files.sort();
    dirs.sort();
    for (const f of files) stdout += `${f}\n`;
    for (const [index, dir] of dirs.entries()) {
      let names = await ctx.fs.readdir(dir);
      if (!flags.has('a') && !flags.has('A')) names = names.filter((n) => !n.startsWith('.'));
      if (flags.has('a')) names = ['.', '..', ...names];
      if (targets.length > 1) stdout += `${index > 0 || files.length ? '\n' : ''}${dir}:\n`;
      for (const name of names) {
        const suffix = flags.has('F') && (await ctx.fs.stat(posix.join(dir, name)))?.isDirectory() ? '/' : '';
        stdout += `${name}${suffix}\n`;
      }
    }
    return { stdout, stderr, exitCode: stderr ? 1 : 0 };
  },
  async mkdir(ctx) {
    const { flags, operands, illegal: bad } = parseFlags(ctx.argv.slice(1), 'pv', 'm');
    if (bad || operands.length === 0) return fail('usage: mkdir [-pv] [-m mode] directory_name ...\n', 64);
    let stderr = '';
    for (const dir of operands) {
      try {
        await ctx.fs.mkdir(dir, { parents: flags.has('p') });
      } catch (error) {
        stderr += fsError(
          'mkdir',
          error instanceof GuestFsError && error.code === 'EACCES' && flags.has('p') ? error.guestPath : dir,
          error,
        );
      }
    }
    return { stderr, exitCode: stderr ? 1 : 0 };
  },
  async rm(ctx) {
    const { flags, operands, illegal: bad } = parseFlags(ctx.argv.slice(1), 'rRfidv');
    if (bad) return illegal('rm', bad, 'usage: rm [-f | -i] [-dIPRrvWx] file ...\n       unlink [--] file');
    if (operands.length === 0) {
      return flags.has('f')
        ? ok()
        : fail('usage: rm [-f | -i] [-dIPRrvWx] file ...\n       unlink [--] file\n', 64);
    }
    let stderr = '';
    for (const arg of operands) {
      try {
        await ctx.fs.remove(arg, { recursive: flags.has('r') || flags.has('R') });
      } catch (error) {
        if (error instanceof GuestFsError && error.code === 'ENOENT' && flags.has('f')) continue;
        stderr +=
          error instanceof GuestFsError && error.code === 'EISDIR'
            ? `rm: ${arg}: is a directory\n`
            : fsError('rm', arg, error);
      }
    }
    return { stderr, exitCode: stderr ? 1 : 0 };
  },
  async cp(ctx) {
    const { flags, operands, illegal: bad } = parseFlags(ctx.argv.slice(1), 'RrpfaXvnc');
    if (bad || operands.length < 2) {
      return fail(
        'usage: cp [-R [-H | -L | -P]] [-fi | -n] [-aclpSsvXx] source_file target_file\n       cp [-R [-H | -L | -P]] [-fi | -n] [-aclpSsvXx] source_file ... target_directory\n',
        64,
      );
    }
    const dest = operands[operands.length - 1]!;
    const sources = operands.slice(0, -1);
    const destInfo = await ctx.fs.stat(dest);
    let stderr = '';
    for (const src of sources) {
      const info = await ctx.fs.stat(src);
      if (!info) {
        stderr += `cp: ${src}: No such file or directory\n`;
        continue;
      }
      const recursive = flags.has('R') || flags.has('r') || flags.has('a');
      if (info.isDirectory() && !recursive) {
        stderr += `cp: ${src} is a directory (not copied).\n`;
        continue;
      }
      const target = destInfo?.isDirectory() ? posix.join(dest, posix.basename(src)) : dest;
      try {
        await ctx.fs.copy(src, target, { recursive });
      } catch (error) {
        stderr += fsError('cp', target, error);
      }
    }
    return { stderr, exitCode: stderr ? 1 : 0 };
  },
  async mv(ctx) {
    const { operands, illegal: bad } = parseFlags(ctx.argv.slice(1), 'fivn');
    if (bad || operands.length < 2)
      return fail(
        'usage: mv [-f | -i | -n] [-hv] source target\n       mv [-f | -i | -n] [-v] source ... directory\n',
        64,
      );
    const dest = operands[operands.length - 1]!;
    const destInfo = await ctx.fs.stat(dest);
    let stderr = '';
    for (const src of operands.slice(0, -1)) {
      const target = destInfo?.isDirectory() ? posix.join(dest, posix.basename(src)) : dest;
      try {
        await ctx.fs.rename(src, target);
      } catch (error) {
        if (!(error instanceof GuestFsError)) throw error;
        stderr += `mv: rename ${src} to ${target}: ${error.reason}\n`;
      }
    }
    return { stderr, exitCode: stderr ? 1 : 0 };
  },
  async touch(ctx) {
    let stderr = '';
    for (const arg of ctx.argv.slice(1).filter((a) => !a.startsWith('-'))) {
      try {
        if (!(await ctx.fs.stat(arg))) await ctx.fs.writeFile(arg, '');
      } catch (error) {
        stderr += fsError('touch', arg, error);
      }
    }
    return { stderr, exitCode: stderr ? 1 : 0 };
  },
  async chmod(ctx) {
    const [, modeText, ...files] = ctx.argv;
    if (!modeText || !/^[0-7]{3,4}$/.test(modeText) || files.length === 0) {
      return fail(
        'usage:\tchmod [-fhv] [-R [-H | -L | -P]] [-a | +a | =a  [i][# [ n]]] mode|entry file ...\n',
      );
    }
    let stderr = '';
    for (const file of files) {
      const { guest, host } = ctx.fs.resolve(file);
      if (!(await ctx.fs.stat(file))) stderr += `chmod: ${file}: No such file or directory\n`;
      else if (ctx.fs.writeDenial(guest))
        stderr += `chmod: Unable to change file mode on ${file}: Operation not permitted\n`;
      else await chmod(host, Number.parseInt(modeText, 8));
    }
    return { stderr, exitCode: stderr ? 1 : 0 };
  },
  test,
  '[': test,
  async ln(ctx) {
    const { flags, operands, illegal: bad } = parseFlags(ctx.argv.slice(1), 'sfhnv');
    // Only symbolic links are modelled: the sim's disk has no hard links.
    if (bad || !flags.has('s') || operands.length !== 2)
      return fail('usage: ln [-s [-F] | -L | -P] [-f | -i] [-hnv] source_file [target_file]\n', 64);
    const [target = '', link = ''] = operands;
    const existing = await ctx.fs.lstat(link);
    const path = existing?.isDirectory() && !flags.has('n') ? posix.join(link, posix.basename(target)) : link;
    try {
      await ctx.fs.symlink(target, path, { replace: flags.has('f') });
    } catch (error) {
      return fail(fsError('ln', path, error));
    }
    return ok();
  },
  async readlink(ctx) {
    const operands = ctx.argv.slice(1).filter((a) => a !== '-n');
    let stdout = '';
    let code = 0;
    // BSD readlink prints nothing and exits 1 for a path that is not a symlink.
    for (const path of operands) {
      const target = await ctx.fs.readlink(path);
      if (target === undefined) code = 1;
      else stdout += `${target}\n`;
    }
    return { stdout, exitCode: code };
  },
  async stat(ctx) {
    const { operands, values, illegal: bad } = parseFlags(ctx.argv.slice(1), 'LnqrsxlF', 'ft');
    const format = values.get('f');
    if (bad || !format || operands.length === 0)
      return fail('usage: stat [-FLnq] [-f format | -l | -r | -s | -x] [-t timefmt] [file|handle ...]\n');
    let stdout = '';
    let stderr = '';
    for (const file of operands) {
      // /dev/console belongs to the console user: root until the GUI session exists.
      if (ctx.fs.resolve(file).guest === '/dev/console') {
        const owner = consoleUser(ctx.machine);
        const uid = owner === 'root' ? 0 : ctx.machine.state.user.uid;
        stdout += `${format.replace(/%(S?)([ug])/g, (_m, s: string, c: string) =>
          c === 'u'
            ? s
              ? owner
              : String(uid)
            : s
              ? owner === 'root'
                ? 'wheel'
                : 'tty'
              : owner === 'root'
                ? '0'
                : '4',
        )}\n`;
        continue;
      }
      const info = await ctx.fs.stat(file);
      if (!info) {
        stderr += `stat: ${file}: stat: No such file or directory\n`;
        continue;
      }
      stdout += `${format.replace(/%(\w)/g, (m, c: string) => {
        if (c === 'z') return String(info.size);
        if (c === 'N') return file;
        if (c === 'm') return String(Math.floor(info.mtimeMs / 1000));
        if (c === 'p') return info.mode.toString(8);
        if (c === 'u')
          return String(ctx.fs.resolve(file).guest.startsWith('/Users/') ? ctx.machine.state.user.uid : 0);
        return m;
      })}\n`;
    }
    return { stdout, stderr, exitCode: stderr ? 1 : 0 };
  },
  async shasum(ctx) {
    const { operands, values, illegal: bad } = parseFlags(ctx.argv.slice(1), 'bp', 'a');
    const algorithm = values.get('a') ?? '1';
    const node = { '1': 'sha1', '224': 'sha224', '256': 'sha256', '384': 'sha384', '512': 'sha512' }[
      algorithm
    ];
    if (bad || !node) return fail(`shasum: Unrecognized algorithm\n`);
    const inputs = operands.length ? operands : ['-'];
    let stdout = '';
    let stderr = '';
    for (const file of inputs) {
      try {
        // A file is hashed as a stream, as shasum reads it: a 1 GiB file never sits in memory.
        const hash = createHash(node);
        if (file === '-') hash.update(await ctx.stdin());
        else await pipeline(await openGuestFile(ctx, file), hash);
        stdout += `${hash.digest('hex')}  ${file}\n`;
      } catch (error) {
        if (!(error instanceof GuestFsError)) throw error;
        stderr += `shasum: ${file}: ${error.reason}\n`;
      }
    }
    return { stdout, stderr, exitCode: stderr ? 1 : 0 };
  },
};
