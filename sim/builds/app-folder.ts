// Writes a bundle as an unpacked folder (what a user passes as an `.app` input), symlinks kept as
// symlinks. The whole tree is replaced or left alone: a reader never sees half of it.
import { createHash } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PackageFile } from './flat-package.ts';
import { safeSegments } from './flat-package.ts';

export class AppFolderError extends Error {
  readonly folder: string;
  constructor(reason: string, folder: string, evidence: string) {
    super(`${reason}: ${folder} (${evidence})`);
    this.name = 'AppFolderError';
    this.folder = folder;
  }
}

/** One line per entry (type, mode, path, sha256 or target), sorted: equal trees, equal listings. */
export function treeListing(files: readonly PackageFile[]): string {
  const lines = files.map((f) => {
    const content = typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content;
    if (f.type === 'symlink') return `l ${f.path} -> ${content.toString('utf8')}`;
    const mode = (f.mode ?? 0o644).toString(8);
    return `f ${mode} ${f.path} ${createHash('sha256').update(content).digest('hex')}`;
  });
  return `${lines.sort().join('\n')}\n`;
}

/** The files of a folder on disk in PackageFile form (directories implied), without following links. */
export async function readTree(dir: string, prefix = ''): Promise<PackageFile[]> {
  const out: PackageFile[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const full = join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    const info = await lstat(full);
    if (info.isSymbolicLink()) out.push({ path: rel, content: await readlink(full), type: 'symlink' });
    else if (info.isDirectory()) out.push(...(await readTree(full, rel)));
    else out.push({ path: rel, content: await readFile(full), mode: info.mode & 0o7777 });
  }
  return out;
}

/**
 * Makes `folder` hold exactly `files` (paths relative to it). Returns the listing's sha256 and
 * whether anything was written (false when the folder already held this tree).
 */
export async function writeAppFolder(
  folder: string,
  files: readonly PackageFile[],
): Promise<{ sha256: string; written: boolean }> {
  const wanted = treeListing(files);
  const sha256 = createHash('sha256').update(wanted).digest('hex');
  const existing = await readTree(folder).catch(() => undefined);
  if (existing && treeListing(existing) === wanted) return { sha256, written: false };
  const temp = `${folder}.${process.pid}.partial`;
  try {
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp, { recursive: true });
    for (const f of files) {
      if (!safeSegments(f.path)) throw new AppFolderError('Unsafe path', folder, JSON.stringify(f.path));
      const target = join(temp, f.path);
      await mkdir(dirname(target), { recursive: true });
      if (f.type === 'symlink') await symlink(String(f.content), target);
      else {
        await writeFile(target, f.content);
        await chmod(target, (f.mode ?? 0o644) & 0o7777);
      }
    }
    await rm(folder, { recursive: true, force: true });
    await mkdir(dirname(folder), { recursive: true });
    await rename(temp, folder);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return { sha256, written: true };
}
