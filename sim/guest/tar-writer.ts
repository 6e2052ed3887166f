// A minimal ustar writer (POSIX.1-1988 headers, 512-byte blocks, two zero blocks at the end): enough
// for sysdiagnose's archive, readable by GNU tar, bsdtar and Node tar readers.

export interface TarEntry {
  /** Path inside the archive; folders end with `/`. */
  name: string;
  /** File content; absent for folders. */
  data?: Buffer;
  mode?: number;
  /** Seconds since the epoch. */
  mtime: number;
}

const BLOCK = 512;

export class TarNameError extends Error {
  constructor(readonly entryName: string) {
    super(`Name too long for a ustar header: ${entryName} (at most 155 + 100 bytes split at a "/")`);
    this.name = 'TarNameError';
  }
}

function splitName(name: string): { prefix: string; name: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  // ustar stores long paths as prefix "/" name, split at a slash.
  for (let k = name.length - 1; k > 0; k--) {
    if (name[k] !== '/') continue;
    const prefix = name.slice(0, k);
    const rest = name.slice(k + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '')
      return { prefix, name: rest };
  }
  throw new TarNameError(name);
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(entry: TarEntry): Buffer {
  const block = Buffer.alloc(BLOCK);
  const dir = entry.name.endsWith('/');
  const { prefix, name } = splitName(entry.name);
  const size = dir ? 0 : (entry.data?.length ?? 0);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(entry.mode ?? (dir ? 0o755 : 0o644), 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(Math.floor(entry.mtime), 12), 136, 'ascii');
  // The checksum is computed with its own field taken as eight spaces.
  block.write('        ', 148, 'ascii');
  block.write(dir ? '5' : '0', 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write('root', 265, 'ascii');
  block.write('wheel', 297, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** The whole archive in memory (sysdiagnose stand-ins are small). */
export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry));
    const data = entry.name.endsWith('/') ? undefined : entry.data;
    if (data && data.length > 0) {
      parts.push(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
