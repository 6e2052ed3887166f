// A build input checked on the host before any VM exists: it is there, readable, and what its name
// says: a flat package (xar) whose table of contents installer can read, a zip that holds an app at
// its top, or an app folder. A mistyped path or a text file given as --from then costs a usage
// error, not a cloned and booted VM.
import { constants } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NotAPackageError, packageTocNames } from './package-toc-names.ts';
import { NotAZipError, zipEntryNames } from './zip-entry-names.ts';

const EXPECTED = 'a .pkg file, a .zip of an app, or an .app folder';
// What `ditto -x -k X.zip /Applications` needs to leave /Applications/X.app behind.
const TOP_LEVEL_APP_PLIST = /^[^/]+\.app\/Contents\/Info\.plist$/;

/** Why the file at `path` is not a usable build, or undefined when it is one. */
export async function buildFileProblem(path: string): Promise<string | undefined> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) {
    return info.code === 'ENOENT'
      ? `"${path}" does not exist; pass ${EXPECTED}`
      : `"${path}" cannot be read (${info.code ?? info.message}); pass ${EXPECTED}`;
  }
  const bare = path.replace(/\/+$/, '');
  if (bare.endsWith('.app') && info.isDirectory()) {
    const plist = join(bare, 'Contents', 'Info.plist');
    const readable = await access(plist, constants.R_OK).then(
      () => true,
      () => false,
    );
    return readable ? undefined : `"${path}" is not an app bundle: ${plist} is missing or unreadable`;
  }
  if (!info.isFile()) return `"${path}" is not ${EXPECTED}`;
  const head = await readHead(path, 4).catch((error: NodeJS.ErrnoException) => error);
  if (head instanceof Error) return `"${path}" cannot be read (${head.code ?? head.message})`;
  if (path.endsWith('.pkg')) {
    if (head.toString('latin1') !== 'xar!') {
      return `"${path}" is not a flat package: it does not start with xar's magic "xar!" (pkgbuild and productbuild write it); its first bytes are ${show(head)}`;
    }
    let names: string[];
    try {
      names = await packageTocNames(path);
    } catch (error) {
      if (error instanceof NotAPackageError)
        return `"${path}" is not a readable flat package: ${error.reason}`;
      throw error;
    }
    // installer reads a component package's PackageInfo or a product archive's Distribution.
    if (names.includes('PackageInfo') || names.includes('Distribution')) return undefined;
    const sample = names.slice(0, 5).join(', ') || 'none';
    return `"${path}" is not an installer package: its table of contents has neither PackageInfo (pkgbuild) nor Distribution (productbuild); its first entries: ${sample}`;
  }
  if (path.endsWith('.zip')) {
    if (head.toString('latin1') !== 'PK\x03\x04') {
      return `"${path}" is not a zip archive: it does not start with "PK\\x03\\x04"; its first bytes are ${show(head)}`;
    }
    let names: string[];
    try {
      names = await zipEntryNames(path);
    } catch (error) {
      if (error instanceof NotAZipError) return `"${path}" is not a readable zip archive: ${error.reason}`;
      throw error;
    }
    if (names.some((name) => TOP_LEVEL_APP_PLIST.test(name) && !name.startsWith('__MACOSX/')))
      return undefined;
    const sample = names.slice(0, 5).join(', ') || 'none';
    return `"${path}" holds no app at its top level (no X.app/Contents/Info.plist; make it with \`ditto -c -k --keepParent X.app X.zip\`); its first entries: ${sample}`;
  }
  return `"${path}" is not ${EXPECTED}`;
}

async function readHead(path: string, length: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

function show(bytes: Buffer): string {
  return bytes.length === 0 ? '(empty file)' : JSON.stringify(bytes.toString('latin1'));
}
