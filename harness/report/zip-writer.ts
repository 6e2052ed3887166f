// A small streaming ZIP writer (deflate, data descriptors, no ZIP64): each file is read, compressed
// and written as a stream, so a sysdiagnose of hundreds of MB never sits in memory. Entries given a
// unix mode carry it as `ditto -c -k` writes it (made by Unix, st_mode in the high half of the
// external attributes), which is how folders and symlinks of an app bundle survive the trip. The sim
// has its own writer (sim/builds/zip-archive.ts); harness and sim stay apart on purpose (design: the
// harness never imports sim/).

import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { crc32, createDeflateRaw } from 'node:zlib';

/** ZIP without ZIP64 stores sizes and offsets in 32 bits. */
const LIMIT = 0xffff_ffff;

interface Entry {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
  time: number;
  date: number;
  method: number;
  /** st_mode (type and permission bits); undefined for the plain entries of a feedback bundle. */
  unixMode?: number;
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
// "Made by" Unix (3), spec 2.0: readers take the high half of the external attributes as st_mode.
const MADE_BY_UNIX = (3 << 8) | 20;

export class ZipTooLargeError extends Error {
  override name = 'ZipTooLargeError';
  constructor(
    readonly zipPath: string,
    readonly entry: string,
  ) {
    super(`Zip too large for a non-ZIP64 archive: ${zipPath} would pass 4 GiB at ${entry}`);
  }
}

export class ZipWriter {
  private readonly out: WriteStream;
  private readonly entries: Entry[] = [];
  private offset = 0;

  constructor(readonly path: string) {
    this.out = createWriteStream(path);
  }

  /** Adds text or bytes held in memory (report.md, run.json). */
  async addBuffer(name: string, data: string | Buffer, mtime = new Date()): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    await this.addStream(name, [bytes], mtime);
  }

  /** Adds a file from disk, streamed; `mode` (permission bits) records it as a unix file. */
  async addFile(name: string, path: string, mtime = new Date(), mode?: number): Promise<void> {
    const unixMode = mode === undefined ? undefined : S_IFREG | (mode & 0o7777);
    await this.addStream(name, createReadStream(path), mtime, { unixMode });
  }

  /** Adds a folder entry (`name` without the trailing slash), stored and empty. */
  async addDirectory(name: string, mode = 0o755, mtime = new Date()): Promise<void> {
    const unixMode = S_IFDIR | (mode & 0o7777);
    await this.addStream(`${name.replace(/\/+$/, '')}/`, [], mtime, { unixMode, stored: true });
  }

  /** Adds a symlink: S_IFLNK in the unix mode and the target as the content, as ditto and `zip -y` do. */
  async addSymlink(name: string, target: string, mtime = new Date()): Promise<void> {
    const unixMode = S_IFLNK | 0o755;
    await this.addStream(name, [Buffer.from(target, 'utf8')], mtime, { unixMode, stored: true });
  }

  /** Writes the central directory and closes the file. */
  async close(): Promise<void> {
    const start = this.offset;
    for (const entry of this.entries) {
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(entry.unixMode === undefined ? 20 : MADE_BY_UNIX, 4);
      header.writeUInt16LE(20, 6);
      header.writeUInt16LE(0x0808, 8);
      header.writeUInt16LE(entry.method, 10);
      header.writeUInt16LE(entry.time, 12);
      header.writeUInt16LE(entry.date, 14);
      header.writeUInt32LE(entry.crc, 16);
      header.writeUInt32LE(entry.compressed, 20);
      header.writeUInt32LE(entry.size, 24);
      header.writeUInt16LE(entry.name.length, 28);
      if (entry.unixMode !== undefined) {
        // The low byte keeps the MS-DOS directory bit for readers that ignore unix modes.
        const dosDir = (entry.unixMode & 0o170000) === S_IFDIR ? 0x10 : 0;
        header.writeUInt32LE(((entry.unixMode << 16) | dosDir) >>> 0, 38);
      }
      header.writeUInt32LE(entry.offset, 42);
      await this.write(Buffer.concat([header, entry.name]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    await this.write(end);
    this.out.end();
    await once(this.out, 'close');
  }

  /** Stops writing after a failure; the partial file is the caller's to remove. */
  destroy(): void {
    this.out.destroy();
  }

  private async addStream(
    name: string,
    source: AsyncIterable<Buffer | string> | Buffer[],
    mtime: Date,
    options: { unixMode?: number; stored?: boolean } = {},
  ) {
    const encoded = Buffer.from(name.replaceAll('\\', '/'));
    const { time, date } = dosTime(mtime);
    const method = options.stored ? 0 : 8;
    const entry: Entry = {
      name: encoded,
      crc: 0,
      compressed: 0,
      size: 0,
      offset: this.offset,
      time,
      date,
      method,
      unixMode: options.unixMode,
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    // Bit 3: sizes and CRC follow the data; bit 11: the name is UTF-8.
    local.writeUInt16LE(0x0808, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt16LE(encoded.length, 26);
    await this.write(Buffer.concat([local, encoded]));
    if (options.stored) {
      // Small entries held in memory (a link target, an empty folder): written as they are.
      for await (const chunk of source) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        entry.crc = crc32(bytes, entry.crc);
        entry.size += bytes.length;
        entry.compressed += bytes.length;
        await this.write(bytes);
      }
      await this.finishEntry(entry, name);
      return;
    }
    const deflate = createDeflateRaw();
    const pump = (async () => {
      for await (const chunk of source) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        entry.crc = crc32(bytes, entry.crc);
        entry.size += bytes.length;
        if (!deflate.write(bytes)) await once(deflate, 'drain');
      }
      deflate.end();
    })();
    for await (const chunk of deflate) {
      entry.compressed += (chunk as Buffer).length;
      await this.write(chunk as Buffer);
    }
    await pump;
    await this.finishEntry(entry, name);
  }

  private async finishEntry(entry: Entry, name: string): Promise<void> {
    if (entry.size > LIMIT || this.offset > LIMIT) throw new ZipTooLargeError(this.path, name);
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(entry.crc >>> 0, 4);
    descriptor.writeUInt32LE(entry.compressed, 8);
    descriptor.writeUInt32LE(entry.size, 12);
    await this.write(descriptor);
    entry.crc >>>= 0;
    this.entries.push(entry);
  }

  private async write(bytes: Buffer): Promise<void> {
    this.offset += bytes.length;
    if (!this.out.write(bytes)) await once(this.out, 'drain');
  }
}

function dosTime(date: Date): { time: number; date: number } {
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((Math.max(1980, date.getFullYear()) - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}
