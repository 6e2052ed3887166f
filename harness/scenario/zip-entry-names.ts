// The entry names of a ZIP archive, read from its central directory only (a build of hundreds of MB
// is never read whole): enough to tell, before any VM exists, whether a .zip holds an app.
import { open } from 'node:fs/promises';

/** The end-of-central-directory record is 22 bytes, followed by a comment of up to 65535 bytes. */
const EOCD_MAX = 22 + 0xffff;
/** A central directory this large is not a build; refuse it rather than allocate it. */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;

export class NotAZipError extends Error {
  override name = 'NotAZipError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Not a readable zip archive: ${path}: ${reason}`);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

// Without flag bit 11 a name is CP437 by the spec, but ditto and Info-ZIP write UTF-8 without the flag.
function legacyName(name: Buffer): string {
  try {
    return strictUtf8.decode(name);
  } catch {
    return name.toString('latin1');
  }
}

/** Lists the names in the archive's central directory, in order. */
export async function zipEntryNames(path: string): Promise<string[]> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, position);
      if (bytesRead !== length) throw new NotAZipError(path, `truncated at byte ${position + bytesRead}`);
      return buffer;
    };
    const tailLength = Math.min(size, EOCD_MAX);
    const tail = await read(size - tailLength, tailLength);
    // The record is found from the end: a comment may itself hold the signature's bytes.
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i -= 1) {
      if (tail.readUInt32LE(i) === SIG_EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
        at = i;
        break;
      }
    }
    if (at < 0) throw new NotAZipError(path, 'no end of central directory record');
    let count = tail.readUInt16LE(at + 10);
    let directorySize = tail.readUInt32LE(at + 12);
    let directoryOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || directorySize === 0xffff_ffff || directoryOffset === 0xffff_ffff) {
      const eocdPosition = size - tailLength + at;
      if (eocdPosition < 20) throw new NotAZipError(path, 'ZIP64 locator missing');
      const locator = await read(eocdPosition - 20, 20);
      if (locator.readUInt32LE(0) !== SIG_ZIP64_LOCATOR)
        throw new NotAZipError(path, 'ZIP64 locator missing');
      const record = await read(Number(locator.readBigUInt64LE(8)), 56);
      if (record.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw new NotAZipError(path, 'ZIP64 record missing');
      count = Number(record.readBigUInt64LE(32));
      directorySize = Number(record.readBigUInt64LE(40));
      directoryOffset = Number(record.readBigUInt64LE(48));
    }
    if (directorySize > MAX_DIRECTORY_BYTES || directoryOffset + directorySize > size) {
      throw new NotAZipError(
        path,
        `central directory of ${directorySize} bytes at ${directoryOffset} does not fit`,
      );
    }
    const directory = await read(directoryOffset, directorySize);
    const names: string[] = [];
    let offset = 0;
    for (let n = 0; n < count; n += 1) {
      if (offset + 46 > directory.length || directory.readUInt32LE(offset) !== SIG_CENTRAL) {
        throw new NotAZipError(path, `central directory entry ${n + 1} of ${count} is damaged`);
      }
      const flags = directory.readUInt16LE(offset + 8);
      const nameLength = directory.readUInt16LE(offset + 28);
      const extraLength = directory.readUInt16LE(offset + 30);
      const commentLength = directory.readUInt16LE(offset + 32);
      const name = directory.subarray(offset + 46, offset + 46 + nameLength);
      names.push(flags & 0x800 ? name.toString('utf8') : legacyName(name));
      offset += 46 + nameLength + extraLength + commentLength;
    }
    return names;
  } finally {
    await file.close();
  }
}
