// Info-ZIP's unzip and zipinfo as macOS ships them (/usr/bin/unzip 6.00): `unzip [-q] [-o|-n] ZIP
// [-d DIR]` restores symlink entries as symlinks (`linking:`), `zipinfo -1 ZIP` lists entry names.
// Archives are read with the builds helper's reader.
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { decodeZip, ZipArchiveError, type ZipEntry } from '../../builds/zip-archive.ts';
import { GuestFsError } from '../errors.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

async function readEntries(ctx: CommandContext, tool: string, archive: string): Promise<ZipEntry[] | string> {
  const info = await ctx.fs.stat(archive);
  // [RECONSTRUCTED] Info-ZIP's texts for a missing archive and for one it cannot read.
  if (!info?.isFile()) return `${tool}:  cannot find or open ${archive}, ${archive}.zip or ${archive}.ZIP.\n`;
  try {
    return await decodeZip(await readFile(ctx.fs.resolve(archive).host), archive);
  } catch (error) {
    if (!(error instanceof ZipArchiveError)) throw error;
    return `  End-of-central-directory signature not found.  Either this file is not\n  a zipfile, or it constitutes one disk of a multi-part archive.  In the\n  latter case the central directory and zipfile comment will be found on\n  the last disk(s) of this archive.\n${tool}:  cannot find zipfile directory in one of ${archive} or\n        ${archive}.zip, and cannot find ${archive}.ZIP, period.\n`;
  }
}

async function unzip(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  let quiet = false;
  let overwrite: boolean | undefined;
  let dest = '.';
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-d') dest = args[++i] ?? '.';
    else if (/^-[qon]+$/.test(arg)) {
      if (arg.includes('q')) quiet = true;
      if (arg.includes('o')) overwrite = true;
      if (arg.includes('n')) overwrite = false;
    } else operands.push(arg);
  }
  const [archive] = operands;
  if (!archive || operands.length > 1)
    return fail(
      'UnZip 6.00 of 20 April 2009, by Info-ZIP.\nUsage: unzip [-Z] [-opts[modifiers]] file[.zip] [list] [-x xlist] [-d exdir]\n',
      10,
    );
  const entries = await readEntries(ctx, 'unzip', archive);
  if (typeof entries === 'string') return fail(entries, 9);
  let stdout = quiet ? '' : `Archive:  ${archive}\n`;
  try {
    await ctx.fs.mkdir(dest, { parents: true });
    for (const entry of entries) {
      const target = posix.join(dest, entry.path);
      const shown = dest === '.' ? entry.path : target;
      if (entry.type === 'directory') {
        // Only a folder it makes is reported.
        const existed = await ctx.fs.stat(target);
        await ctx.fs.mkdir(target, { parents: true });
        if (!quiet && !existed) stdout += `   creating: ${shown}\n`;
        continue;
      }
      await ctx.fs.mkdir(posix.dirname(target), { parents: true });
      if ((await ctx.fs.lstat(target)) && overwrite !== true) {
        if (overwrite === false) continue;
        // No terminal to answer the prompt: Info-ZIP reads EOF and skips the rest.
        stdout += `replace ${shown}? [y]es, [n]o, [A]ll, [N]one, [r]ename: NULL\n(EOF or read error, treating as "[N]one" ...)\n`;
        overwrite = false;
        continue;
      }
      if (entry.type === 'symlink') {
        await ctx.fs.symlink(entry.content.toString('utf8'), target, { replace: true });
        if (!quiet) stdout += `    linking: ${shown}  -> ${entry.content.toString('utf8')} \n`;
      } else {
        await ctx.fs.writeFile(target, entry.content, { mode: entry.mode });
        if (!quiet)
          stdout += entry.method === 'stored' ? ` extracting: ${shown}  \n` : `  inflating: ${shown}  \n`;
      }
    }
  } catch (error) {
    if (!(error instanceof GuestFsError)) throw error;
    return {
      stdout,
      stderr: `checkdir error:  cannot create ${error.guestPath}\n                 ${error.reason}\n`,
      exitCode: 50,
    };
  }
  return ok(stdout);
}

async function zipinfo(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  const archive = args.find((a) => !a.startsWith('-'));
  // Only the names-only form is modelled; it is what a script reads.
  if (!args.includes('-1') || !archive)
    return fail('zipinfo: only `zipinfo -1 ZIP` is modelled by the sim\n', 10);
  const entries = await readEntries(ctx, 'zipinfo', archive);
  if (typeof entries === 'string') return fail(entries, 9);
  return ok(entries.map((e) => `${e.path}\n`).join(''));
}

export const unzipCommands: CommandTable = { unzip, zipinfo };
