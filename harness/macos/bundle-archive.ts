// An .app folder zipped on the host the way `ditto -c -k --keepParent X.app X.zip` zips it: the
// archive holds X.app/ with a folder entry per folder, unix modes, and symlinks as symlink entries
// (an embedded framework's `Versions/Current` and its root links). Uploading the folder file by file
// over SFTP would follow those links (EISDIR, duplicated files) and break the code signature.
import { lstat, readdir, readlink, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ZipWriter } from '../report/zip-writer.ts';

export interface BundleArchiveOptions {
  signal?: AbortSignal;
}

/** What went into the archive: folders, files and symlinks, counted. */
export interface BundleArchive {
  path: string;
  folders: number;
  files: number;
  symlinks: number;
}

/** Writes `zipPath` from the bundle folder `appDir`; a partial archive is removed on failure. */
export async function zipBundle(
  appDir: string,
  zipPath: string,
  options: BundleArchiveOptions = {},
): Promise<BundleArchive> {
  const root = appDir.replace(/\/+$/, '');
  const zip = new ZipWriter(zipPath);
  const counts: BundleArchive = { path: zipPath, folders: 0, files: 0, symlinks: 0 };
  const add = async (hostPath: string, name: string): Promise<void> => {
    options.signal?.throwIfAborted();
    // lstat, never stat: a symlink is archived as itself, never as what it points to.
    const info = await lstat(hostPath);
    if (info.isSymbolicLink()) {
      await zip.addSymlink(name, await readlink(hostPath), info.mtime);
      counts.symlinks += 1;
    } else if (info.isDirectory()) {
      await zip.addDirectory(name, info.mode & 0o7777, info.mtime);
      counts.folders += 1;
      for (const child of (await readdir(hostPath)).sort())
        await add(join(hostPath, child), `${name}/${child}`);
    } else if (info.isFile()) {
      await zip.addFile(name, hostPath, info.mtime, info.mode & 0o7777);
      counts.files += 1;
    }
    // Sockets, FIFOs and devices have no place in a bundle; ditto skips them too.
  };
  try {
    await add(root, basename(root));
    await zip.close();
  } catch (error) {
    zip.destroy();
    await rm(zipPath, { force: true });
    throw error;
  }
  return counts;
}
