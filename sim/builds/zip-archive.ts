// Zip archives as `ditto -c -k --keepParent X.app X.zip` writes them and `ditto -x -k` reads them:
// stored and deflated entries, a directory entry for every folder, unix modes in the external
// attributes, crc32 checked on read. No zip64, no encryption, no multi-disk: refused with an error.
// Symlinks are entries whose unix mode says S_IFLNK and whose content is the link's target, as
// ditto -c -k and Info-ZIP's `zip -y` write them. ditto's __MACOSX/AppleDouble entries for extended
// attributes are not written (the sim has no xattrs).
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { crc32, deflateRaw, inflateRaw } from 'node:zlib';
import { writeFileAtomic } from './atomic-write.ts';
import { defaultMtime } from './reproducible-time.ts';

const deflateRawAsync = promisify(deflateRaw);
const inflateRawAsync = promisify(inflateRaw);

const localSignature = 0x04034b50;
const centralSignature = 0x02014b50;
const endSignature = 0x06054b50;
const descriptorSignature = 0x08074b50;
const localHeaderLength = 30;
const centralHeaderLength = 46;
const endLength = 22;
const flagEncrypted = 0x0001;
const flagDescriptor = 0x0008;
const flagUtf8 = 0x0800;
const methodStored = 0;
const methodDeflated = 8;
// "Made by" Unix (3), spec 2.1: tells readers the high half of the external attributes is a st_mode.
const madeByUnix = (3 << 8) | 21;
const sIfDir = 0o040000;
const sIfReg = 0o100000;
const sIfLnk = 0o120000;
const sIfMt = 0o170000;
const maxEntryBytes = 512 * 1024 * 1024;

export interface ZipFile {
  /** Slash-separated path inside the archive; a trailing `/` makes an explicit directory entry. */
  path: string;
  /** The file's bytes; for a symlink, its target. */
  content: Buffer | string;
  /** Permission bits. @default 0o644 for files, 0o755 for directories and symlinks */
  mode?: number;
  /** @default 'file' */
  type?: 'file' | 'symlink';
}

export interface ZipEntry {
  /** Normalized (no `./`, no empty segments); directories end in `/`. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  method: 'stored' | 'deflated';
  content: Buffer;
}

export interface WriteZipOptions {
  /** `deflate` compresses every non-empty file (as ditto does); `store` keeps them as they are. @default 'deflate' */
  compression?: 'deflate' | 'store';
  /** Timestamp of every entry, fixed for reproducible output. @default defaultMtime (reproducible-time.ts) */
  mtime?: Date;
}

export const zipDefaults: Required<WriteZipOptions> = { compression: 'deflate', mtime: defaultMtime };

export type ZipArchiveErrorReason =
  | 'unreadable'
  | 'not a zip'
  | 'truncated'
  | 'bad header'
  | 'bad checksum'
  | 'bad data'
  | 'unsupported'
  | 'unsafe path'
  | 'duplicate entry'
  | 'bad input';

export class ZipArchiveError extends Error {
  /** The zip file (as given to the reader or writer). */
  readonly file: string;
  readonly reason: ZipArchiveErrorReason;
  constructor(file: string, reason: ZipArchiveErrorReason, evidence: string, options?: { cause?: unknown }) {
    super(
      `${reason[0]?.toUpperCase()}${reason.slice(1)}: ${file} is not a usable zip archive (${evidence})`,
      options,
    );
    this.name = 'ZipArchiveError';
    this.file = file;
    this.reason = reason;
  }
}

// MS-DOS date and time; taken in UTC (not local time as ditto does) so output is host-independent.
function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

function checkInputPath(file: string, path: string): string[] {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const segments = trimmed.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\0'))) {
    throw new ZipArchiveError(file, 'bad input', `path ${JSON.stringify(path)}`);
  }
  return segments;
}

/**
 * An entry name as extraction would use it: `.` and empty segments dropped (other zip tools write
 * `./x`), a trailing `/` kept. Absolute names and `..` are refused: they would escape the target.
 */
function normalizeEntryName(file: string, name: string): string {
  const segments = name.split('/');
  if (name.startsWith('/') || segments.some((s) => s === '..' || s.includes('\0'))) {
    throw new ZipArchiveError(file, 'unsafe path', `entry ${JSON.stringify(name)}`);
  }
  const kept = segments.filter((s) => s !== '' && s !== '.').join('/');
  return kept !== '' && name.endsWith('/') ? `${kept}/` : kept;
}

interface PlannedEntry {
  name: string;
  directory: boolean;
  symlink: boolean;
  mode: number;
  content: Buffer;
}

function plan(file: string, files: readonly ZipFile[]): PlannedEntry[] {
  const planned: PlannedEntry[] = [];
  const seen = new Map<string, boolean>();
  const addDir = (name: string, mode: number) => {
    if (seen.get(name.slice(0, -1)) === false) {
      throw new ZipArchiveError(file, 'bad input', `${JSON.stringify(name)} is a file and a directory`);
    }
    if (seen.has(name.slice(0, -1))) return;
    seen.set(name.slice(0, -1), true);
    planned.push({ name, directory: true, symlink: false, mode, content: Buffer.alloc(0) });
  };
  for (const f of files) {
    const segments = checkInputPath(file, f.path);
    for (let i = 1; i < segments.length; i++) addDir(`${segments.slice(0, i).join('/')}/`, 0o755);
    if (f.path.endsWith('/')) {
      addDir(f.path, f.mode ?? 0o755);
      continue;
    }
    if (seen.has(f.path))
      throw new ZipArchiveError(file, 'bad input', `${JSON.stringify(f.path)} given twice`);
    seen.set(f.path, false);
    const content = typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content;
    const symlink = f.type === 'symlink';
    planned.push({
      name: f.path,
      directory: false,
      symlink,
      mode: f.mode ?? (symlink ? 0o755 : 0o644),
      content,
    });
  }
  return planned;
}

/** The archive as bytes; `writeZip` writes these. Parent directories get entries of their own. */
export async function encodeZip(
  files: readonly ZipFile[],
  options: WriteZipOptions = {},
  file = '<zip>',
): Promise<Buffer> {
  const { compression, mtime } = { ...zipDefaults, ...options };
  if (compression !== 'deflate' && compression !== 'store') {
    throw new ZipArchiveError(
      file,
      'bad input',
      `compression: expected 'deflate' or 'store', got ${JSON.stringify(compression)}`,
    );
  }
  if (!(mtime instanceof Date) || Number.isNaN(mtime.getTime())) {
    throw new ZipArchiveError(file, 'bad input', `mtime: expected a valid Date, got ${String(mtime)}`);
  }
  const { time, date } = dosDateTime(mtime);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of plan(file, files)) {
    const name = Buffer.from(entry.name, 'utf8');
    const nonAscii = name.length !== entry.name.length;
    // Reconstructed: a link target (a few bytes) is stored, not deflated.
    const deflated =
      !entry.directory && !entry.symlink && compression === 'deflate' && entry.content.length > 0;
    const data = deflated ? await deflateRawAsync(entry.content) : entry.content;
    const crc = crc32(entry.content);
    // ditto streams files, so their sizes and crc follow the data in a descriptor; folders have none.
    const flags = (entry.directory ? 0 : flagDescriptor) | (nonAscii ? flagUtf8 : 0);
    const method = deflated ? methodDeflated : methodStored;
    const needed = deflated ? 20 : 10;
    if (data.length > 0xfffffffe || entry.content.length > 0xfffffffe) {
      throw new ZipArchiveError(
        file,
        'bad input',
        `${entry.name} needs zip64 (${entry.content.length} bytes)`,
      );
    }

    const local = Buffer.alloc(localHeaderLength);
    local.writeUInt32LE(localSignature, 0);
    local.writeUInt16LE(needed, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    if (entry.directory) {
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(data.length, 18);
      local.writeUInt32LE(entry.content.length, 22);
    }
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    parts.push(local, name, data);
    let length = local.length + name.length + data.length;
    if (!entry.directory) {
      const descriptor = Buffer.alloc(16);
      descriptor.writeUInt32LE(descriptorSignature, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(data.length, 8);
      descriptor.writeUInt32LE(entry.content.length, 12);
      parts.push(descriptor);
      length += descriptor.length;
    }

    const header = Buffer.alloc(centralHeaderLength);
    header.writeUInt32LE(centralSignature, 0);
    header.writeUInt16LE(madeByUnix, 4);
    header.writeUInt16LE(needed, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt16LE(time, 12);
    header.writeUInt16LE(date, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(data.length, 20);
    header.writeUInt32LE(entry.content.length, 24);
    header.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number start, internal attributes stay 0.
    const unixMode = (entry.directory ? sIfDir : entry.symlink ? sIfLnk : sIfReg) | (entry.mode & 0o7777);
    // High half: st_mode; low byte: the MS-DOS directory bit for readers that ignore unix modes.
    header.writeUInt32LE(((unixMode << 16) | (entry.directory ? 0x10 : 0)) >>> 0, 38);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    offset += length;
  }
  const centralBytes = Buffer.concat(central);
  const count = central.length / 2;
  if (count > 0xfffe || offset > 0xfffffffe) {
    throw new ZipArchiveError(file, 'bad input', `${count} entries / ${offset} bytes need zip64`);
  }
  const end = Buffer.alloc(endLength);
  end.writeUInt32LE(endSignature, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, centralBytes, end]);
}

export async function writeZip(
  outPath: string,
  files: readonly ZipFile[],
  options: WriteZipOptions = {},
): Promise<void> {
  const bytes = await encodeZip(files, options, outPath);
  await writeFileAtomic(outPath, bytes);
}

function findEnd(file: string, data: Buffer): number {
  // The end record is the last 22 bytes plus a comment of at most 65535 bytes.
  const lowest = Math.max(0, data.length - endLength - 0xffff);
  for (let pos = data.length - endLength; pos >= lowest; pos--) {
    if (
      data.readUInt32LE(pos) === endSignature &&
      pos + endLength + data.readUInt16LE(pos + 20) === data.length
    ) {
      return pos;
    }
  }
  const head = data.subarray(0, 4).toString('hex');
  throw new ZipArchiveError(
    file,
    'not a zip',
    `no end-of-central-directory record in ${data.length} bytes (starts ${head})`,
  );
}

/** Every entry of an archive, directories included, in central-directory order. */
export async function decodeZip(data: Buffer, file = '<buffer>'): Promise<ZipEntry[]> {
  if (data.length < endLength) {
    throw new ZipArchiveError(file, 'not a zip', `${data.length} bytes is shorter than an end record`);
  }
  const end = findEnd(file, data);
  const disk = data.readUInt16LE(end + 4);
  const cdDisk = data.readUInt16LE(end + 6);
  const onDisk = data.readUInt16LE(end + 8);
  const count = data.readUInt16LE(end + 10);
  const cdSize = data.readUInt32LE(end + 12);
  const cdOffset = data.readUInt32LE(end + 16);
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count) {
    throw new ZipArchiveError(
      file,
      'unsupported',
      `multi-disk archive (disk ${disk}, ${onDisk}/${count} entries)`,
    );
  }
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new ZipArchiveError(file, 'unsupported', 'zip64 archive');
  }
  if (cdOffset + cdSize > end) {
    throw new ZipArchiveError(
      file,
      'truncated',
      `central directory at ${cdOffset}+${cdSize} overlaps the end record at ${end}`,
    );
  }

  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let pos = cdOffset;
  for (let i = 0; i < count; i++) {
    if (pos + centralHeaderLength > cdOffset + cdSize || data.readUInt32LE(pos) !== centralSignature) {
      throw new ZipArchiveError(file, 'bad header', `central directory entry ${i} at offset ${pos}`);
    }
    const madeBy = data.readUInt16LE(pos + 4);
    const flags = data.readUInt16LE(pos + 8);
    const method = data.readUInt16LE(pos + 10);
    const crc = data.readUInt32LE(pos + 16);
    const compressedSize = data.readUInt32LE(pos + 20);
    const size = data.readUInt32LE(pos + 24);
    const nameLength = data.readUInt16LE(pos + 28);
    const extraLength = data.readUInt16LE(pos + 30);
    const commentLength = data.readUInt16LE(pos + 32);
    const external = data.readUInt32LE(pos + 38);
    const localOffset = data.readUInt32LE(pos + 42);
    const next = pos + centralHeaderLength + nameLength + extraLength + commentLength;
    if (next > cdOffset + cdSize) {
      throw new ZipArchiveError(file, 'bad header', `central directory entry ${i} runs past the directory`);
    }
    // Names are taken as UTF-8 whether or not bit 11 is set: that is what ditto writes.
    const storedName = data.toString(
      'utf8',
      pos + centralHeaderLength,
      pos + centralHeaderLength + nameLength,
    );
    const name = normalizeEntryName(file, storedName);
    pos = next;

    if (flags & flagEncrypted) throw new ZipArchiveError(file, 'unsupported', `${name} is encrypted`);
    if (names.has(name)) throw new ZipArchiveError(file, 'duplicate entry', JSON.stringify(storedName));
    names.add(name);
    if (size > maxEntryBytes)
      throw new ZipArchiveError(file, 'unsupported', `${name} declares ${size} bytes`);

    if (localOffset + localHeaderLength > cdOffset || data.readUInt32LE(localOffset) !== localSignature) {
      throw new ZipArchiveError(file, 'bad header', `local header of ${name} at offset ${localOffset}`);
    }
    const dataStart =
      localOffset +
      localHeaderLength +
      data.readUInt16LE(localOffset + 26) +
      data.readUInt16LE(localOffset + 28);
    if (dataStart + compressedSize > cdOffset) {
      throw new ZipArchiveError(
        file,
        'truncated',
        `${name} data ends at ${dataStart + compressedSize}, directory at ${cdOffset}`,
      );
    }
    const raw = data.subarray(dataStart, dataStart + compressedSize);
    let content: Buffer;
    if (method === methodStored) {
      content = Buffer.from(raw);
    } else if (method === methodDeflated) {
      try {
        content = await inflateRawAsync(raw, { maxOutputLength: Math.max(1, size) });
      } catch (cause) {
        throw new ZipArchiveError(file, 'bad data', `${name}: cannot inflate: ${String(cause)}`, { cause });
      }
    } else {
      throw new ZipArchiveError(file, 'unsupported', `${name} uses compression method ${method}`);
    }
    if (content.length !== size) {
      throw new ZipArchiveError(
        file,
        'bad data',
        `${name} is ${content.length} bytes, directory says ${size}`,
      );
    }
    const actual = crc32(content);
    if (actual !== crc) {
      throw new ZipArchiveError(
        file,
        'bad checksum',
        `${name} crc32 stored ${crc.toString(16).padStart(8, '0')}, computed ${actual.toString(16).padStart(8, '0')}`,
      );
    }

    const unixMode = madeBy >> 8 === 3 ? external >>> 16 : 0;
    const typeBits = unixMode & sIfMt;
    const directory =
      typeBits === sIfDir || name.endsWith('/') || (typeBits === 0 && (external & 0x10) !== 0);
    const type = directory ? 'directory' : typeBits === sIfLnk ? 'symlink' : 'file';
    const mode = unixMode & 0o7777 || (directory ? 0o755 : 0o644);
    // A `./` entry stands for the extraction folder itself, which always exists.
    if (name === '' && directory) continue;
    if (name === '')
      throw new ZipArchiveError(file, 'unsafe path', `file entry ${JSON.stringify(storedName)}`);
    entries.push({
      path: name,
      type,
      mode,
      method: method === methodStored ? 'stored' : 'deflated',
      content,
    });
  }
  return entries;
}

/** Regular files and symlinks (content: the target) with their modes; directories are implied. */
export async function readZip(
  path: string,
): Promise<{ path: string; content: Buffer; mode: number; type: 'file' | 'symlink' }[]> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new ZipArchiveError(path, 'unreadable', code, { cause });
  }
  const entries = await decodeZip(data, path);
  const kept: Awaited<ReturnType<typeof readZip>> = [];
  for (const e of entries) {
    if (e.type !== 'directory') kept.push({ path: e.path, content: e.content, mode: e.mode, type: e.type });
  }
  return kept;
}
