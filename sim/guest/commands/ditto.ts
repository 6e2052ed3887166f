// ditto: copy a file or a bundle, extract a zip (`-x -k`) with the builds helper's reader, or
// create one (`-c -k [--keepParent]`). Symlinks stay symlinks in all three, as with ditto.
import { posix } from 'node:path';
import { readTree } from '../../builds/app-folder.ts';
import { readZip, writeZip, ZipArchiveError } from '../../builds/zip-archive.ts';
import { GuestFsError } from '../errors.ts';
import type { GuestFs } from '../guest-fs.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

const USAGE =
  'Usage: ditto [ <options> ] src [ ... src ] dst\n\n    <options> are any of:\n    -h                         print full usage\n    -v                         print a line of status for each source copied\n    -V                         print a line of status for every file copied\n    -X                         do not descend into directories with a different device ID\n    -c                         create an archive at dst (by default CPIO format)\n    -x                         src(s) are archives\n    -z                         gzip compress CPIO archive\n    -j                         bzip2 compress CPIO archive\n    -k                         archives are PKZip\n    --keepParent               parent directory name src is embedded in dst_archive\n';

async function extract(fs: GuestFs, archive: string, dest: string) {
  if (!(await fs.stat(archive))) return fail(`ditto: ${archive}: No such file or directory\n`);
  let files: Awaited<ReturnType<typeof readZip>>;
  try {
    files = await readZip(fs.resolve(archive).host);
  } catch (error) {
    if (!(error instanceof ZipArchiveError)) throw error;
    // [RECONSTRUCTED] ditto's complaint about a file that is not a PKZip archive.
    return fail(`ditto: Couldn't read PKZip signature\n`);
  }
  try {
    await fs.mkdir(dest, { parents: true });
    for (const file of files) {
      const target = posix.join(dest, file.path);
      await fs.mkdir(posix.dirname(target), { parents: true });
      // ditto restores a symlink entry as a symlink, replacing what was there.
      if (file.type === 'symlink') await fs.symlink(file.content.toString('utf8'), target, { replace: true });
      else await fs.writeFile(target, file.content, { mode: file.mode || 0o644 });
    }
  } catch (error) {
    if (error instanceof GuestFsError) return fail(`ditto: ${error.guestPath}: ${error.reason}\n`);
    throw error;
  }
  return ok();
}

async function ditto(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  const flags = new Set<string>();
  const operands: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('--')) flags.add(arg);
    else if (arg.startsWith('-') && arg.length > 1) for (const c of arg.slice(1)) flags.add(c);
    else operands.push(arg);
  }
  if (operands.length < 2) return fail(USAGE);
  const fs = ctx.fs;
  const dest = operands[operands.length - 1]!;
  if (flags.has('x')) {
    if (!flags.has('k')) return fail('ditto: only PKZip archives (-k) are supported by the sim\n');
    for (const archive of operands.slice(0, -1)) {
      const result = await extract(fs, archive, dest);
      if (result.exitCode !== 0) return result;
    }
    return ok();
  }
  if (flags.has('c')) {
    if (!flags.has('k') || operands.length !== 2)
      return fail('ditto: only `ditto -c -k [--keepParent] src dst.zip` is supported by the sim\n');
    const src = operands[0]!;
    const info = await fs.stat(src);
    if (!info) return fail(`ditto: ${src}: No such file or directory\n`);
    const resolved = fs.resolve(src);
    const base = posix.basename(resolved.guest);
    // The tree is read without following links, so symlinks are archived as symlink entries.
    const files = info.isDirectory()
      ? await readTree(resolved.host, flags.has('--keepParent') ? base : '')
      : [{ path: base, content: await fs.readFile(src), mode: info.mode & 0o7777 }];
    const out = fs.resolve(dest);
    const denial = fs.writeDenial(out.guest);
    if (denial) return fail(`ditto: ${dest}: ${new GuestFsError(denial, out.guest).reason}\n`);
    await writeZip(out.host, files);
    return ok();
  }
  // Plain copy: a directory's contents are merged into dst; files copy to dst or into it.
  try {
    const sources = operands.slice(0, -1);
    for (const src of sources) {
      const info = await fs.stat(src);
      if (!info) return fail(`ditto: ${src}: No such file or directory\n`);
      if (info.isDirectory()) {
        await fs.mkdir(dest, { parents: true });
        for (const name of await fs.readdir(src)) {
          await fs.copy(posix.join(src, name), posix.join(dest, name), { recursive: true });
        }
      } else {
        const destInfo = await fs.stat(dest);
        const target = destInfo?.isDirectory() ? posix.join(dest, posix.basename(src)) : dest;
        await fs.mkdir(posix.dirname(target), { parents: true });
        await fs.copy(src, target);
      }
    }
  } catch (error) {
    if (error instanceof GuestFsError) return fail(`ditto: ${error.guestPath}: ${error.reason}\n`);
    throw error;
  }
  return ok();
}

export const dittoCommands: CommandTable = { ditto };
