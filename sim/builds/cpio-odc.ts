// The portable "odc" cpio format (magic 070707, POSIX.1 ustar's predecessor) that pkgbuild writes
// into a flat package's Payload: a 76-byte all-octal ASCII header, the NUL-terminated name, the data,
// no padding, and a final entry named TRAILER!!!.

export const odcMagic = '070707';
const headerLength = 76;
const trailerName = 'TRAILER!!!';

export const modeTypeMask = 0o170000;
export const modeDirectory = 0o040000;
export const modeRegular = 0o100000;
export const modeSymlink = 0o120000;

export type CpioEntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface CpioEntry {
  /** As stored, e.g. `.` or `./SXL Sample.app/Contents`. */
  name: string;
  type: CpioEntryType;
  /** Permission bits only (`mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  content: Buffer;
}

export class CpioFormatError extends Error {
  readonly reason: 'truncated' | 'bad magic' | 'bad header' | 'field overflow';
  constructor(reason: CpioFormatError['reason'], evidence: string) {
    super(`${reason[0]?.toUpperCase()}${reason.slice(1)} in odc cpio archive: ${evidence}`);
    this.name = 'CpioFormatError';
    this.reason = reason;
  }
}

// Field widths in header order after the magic: dev ino mode uid gid nlink rdev mtime namesize filesize.
const widths = [6, 6, 6, 6, 6, 6, 6, 11, 6, 11] as const;

function octal(value: number, width: number, field: string): string {
  const text = value.toString(8);
  if (!Number.isSafeInteger(value) || value < 0 || text.length > width) {
    throw new CpioFormatError('field overflow', `${field}=${value} does not fit ${width} octal digits`);
  }
  return text.padStart(width, '0');
}

function typeBits(type: CpioEntryType): number {
  if (type === 'directory') return modeDirectory;
  if (type === 'symlink') return modeSymlink;
  return modeRegular;
}

export function encodeCpioOdc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const push = (entry: CpioEntry, ino: number, nlink: number) => {
    const name = Buffer.from(`${entry.name}\0`, 'utf8');
    const fields = [
      0,
      ino,
      typeBits(entry.type) | (entry.mode & 0o7777),
      entry.uid,
      entry.gid,
      nlink,
      0,
      entry.mtime,
      name.length,
      entry.content.length,
    ];
    const names = ['dev', 'ino', 'mode', 'uid', 'gid', 'nlink', 'rdev', 'mtime', 'namesize', 'filesize'];
    const header = odcMagic + fields.map((v, i) => octal(v, widths[i] ?? 6, names[i] ?? '?')).join('');
    parts.push(Buffer.from(header, 'ascii'), name, entry.content);
  };
  // Inodes only need to be distinct so that no reader takes two entries for hard links.
  entries.forEach((entry, i) => {
    push(entry, i + 1, entry.type === 'directory' ? 2 : 1);
  });
  push(
    { name: trailerName, type: 'other', mode: 0, uid: 0, gid: 0, mtime: 0, content: Buffer.alloc(0) },
    0,
    1,
  );
  return Buffer.concat(parts);
}

function parseOctal(text: string, field: string, at: number): number {
  if (!/^[0-7]+$/.test(text)) {
    throw new CpioFormatError('bad header', `${field} is not octal at offset ${at}: ${JSON.stringify(text)}`);
  }
  return Number.parseInt(text, 8);
}

export function decodeCpioOdc(data: Buffer): CpioEntry[] {
  const entries: CpioEntry[] = [];
  let pos = 0;
  for (;;) {
    if (pos + headerLength > data.length) {
      throw new CpioFormatError(
        'truncated',
        `header at offset ${pos} runs past the end (${data.length} bytes)`,
      );
    }
    const magic = data.toString('latin1', pos, pos + 6);
    if (magic !== odcMagic) {
      throw new CpioFormatError(
        'bad magic',
        `expected ${odcMagic} at offset ${pos}, got ${JSON.stringify(magic)}`,
      );
    }
    let fieldPos = pos + 6;
    const values = widths.map((width, i) => {
      const text = data.toString('latin1', fieldPos, fieldPos + width);
      fieldPos += width;
      return parseOctal(text, `field ${i + 1}`, pos);
    });
    const [, , rawMode = 0, uid = 0, gid = 0, , , mtime = 0, nameSize = 0, fileSize = 0] = values;
    const nameStart = pos + headerLength;
    const dataStart = nameStart + nameSize;
    const end = dataStart + fileSize;
    if (nameSize < 1) throw new CpioFormatError('bad header', `empty name at offset ${pos}`);
    if (end > data.length) {
      throw new CpioFormatError(
        'truncated',
        `entry at offset ${pos} needs ${end} bytes, have ${data.length}`,
      );
    }
    if (data[dataStart - 1] !== 0) {
      throw new CpioFormatError('bad header', `name at offset ${nameStart} is not NUL-terminated`);
    }
    const name = data.toString('utf8', nameStart, dataStart - 1);
    if (name === trailerName) return entries;
    const bits = rawMode & modeTypeMask;
    const type: CpioEntryType =
      bits === modeDirectory
        ? 'directory'
        : bits === modeRegular
          ? 'file'
          : bits === modeSymlink
            ? 'symlink'
            : 'other';
    entries.push({
      name,
      type,
      mode: rawMode & 0o7777,
      uid,
      gid,
      mtime,
      content: data.subarray(dataStart, end),
    });
    pos = end;
  }
}
