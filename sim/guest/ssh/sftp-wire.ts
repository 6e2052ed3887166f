// The SFTP version 3 wire format (draft-ietf-secsh-filexfer-02, the version OpenSSH speaks):
// length-prefixed packets, the request fields a server reads and the replies it writes.

/** Packet types and flags of draft-ietf-secsh-filexfer-02 sections 3, 5 and 7. */
export const FXP = {
  INIT: 1,
  VERSION: 2,
  OPEN: 3,
  CLOSE: 4,
  READ: 5,
  WRITE: 6,
  LSTAT: 7,
  FSTAT: 8,
  SETSTAT: 9,
  FSETSTAT: 10,
  OPENDIR: 11,
  READDIR: 12,
  REMOVE: 13,
  MKDIR: 14,
  RMDIR: 15,
  REALPATH: 16,
  STAT: 17,
  RENAME: 18,
  READLINK: 19,
  SYMLINK: 20,
  STATUS: 101,
  HANDLE: 102,
  DATA: 103,
  NAME: 104,
  ATTRS: 105,
  EXTENDED: 200,
  EXTENDED_REPLY: 201,
} as const;

export const FX = {
  OK: 0,
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  OP_UNSUPPORTED: 8,
} as const;

export const FXF = { READ: 0x1, WRITE: 0x2, APPEND: 0x4, CREAT: 0x8, TRUNC: 0x10, EXCL: 0x20 } as const;

const ATTR = { SIZE: 0x1, UIDGID: 0x2, PERMISSIONS: 0x4, ACMODTIME: 0x8, EXTENDED: 0x80000000 } as const;

/** OpenSSH's SFTP_MAX_MSG_LENGTH (sftp.h): a longer packet ends sftp-server. */
export const MAX_MSG_LENGTH = 256 * 1024;

export interface Attrs {
  size?: number;
  uid?: number;
  gid?: number;
  mode?: number;
  atime?: number;
  mtime?: number;
}

/**
 * A packet sftp-server cannot parse: it exits, with 11 for an over-long packet ("bad message") and
 * 255 (fatal()) for one that ends before its fields do.
 */
export class SftpWireError extends Error {
  override name = 'SftpWireError';
  constructor(
    message: string,
    readonly exitCode = 255,
  ) {
    super(message);
  }
}

/** Reads the fields of one packet, in order. */
export class PacketReader {
  #at = 0;
  constructor(readonly data: Buffer) {}

  #need(n: number): void {
    if (this.#at + n > this.data.length) throw new SftpWireError(`packet too short for ${n} more bytes`);
  }
  u8(): number {
    this.#need(1);
    return this.data[this.#at++]!;
  }
  u32(): number {
    this.#need(4);
    const value = this.data.readUInt32BE(this.#at);
    this.#at += 4;
    return value;
  }
  u64(): number {
    this.#need(8);
    const value = this.data.readBigUInt64BE(this.#at);
    this.#at += 8;
    return Number(value);
  }
  bytes(): Buffer {
    const length = this.u32();
    this.#need(length);
    const value = this.data.subarray(this.#at, this.#at + length);
    this.#at += length;
    return value;
  }
  string(): string {
    return this.bytes().toString('utf8');
  }
  attrs(): Attrs {
    const flags = this.u32();
    const attrs: Attrs = {};
    if (flags & ATTR.SIZE) attrs.size = this.u64();
    if (flags & ATTR.UIDGID) {
      attrs.uid = this.u32();
      attrs.gid = this.u32();
    }
    if (flags & ATTR.PERMISSIONS) attrs.mode = this.u32();
    if (flags & ATTR.ACMODTIME) {
      attrs.atime = this.u32();
      attrs.mtime = this.u32();
    }
    if (flags & ATTR.EXTENDED) {
      for (let count = this.u32(); count > 0; count--) {
        this.bytes();
        this.bytes();
      }
    }
    return attrs;
  }
}

/** Builds one packet; `finish()` prepends its length. */
export class PacketWriter {
  readonly #parts: Buffer[] = [];
  #length = 0;

  #push(part: Buffer): this {
    this.#parts.push(part);
    this.#length += part.length;
    return this;
  }
  u8(value: number): this {
    return this.#push(Buffer.from([value]));
  }
  u32(value: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(value >>> 0);
    return this.#push(b);
  }
  u64(value: number): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(value))));
    return this.#push(b);
  }
  bytes(value: Buffer | string): this {
    const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    this.u32(data.length);
    return this.#push(data);
  }
  attrs(attrs: Attrs): this {
    let flags = 0;
    if (attrs.size !== undefined) flags |= ATTR.SIZE;
    if (attrs.uid !== undefined && attrs.gid !== undefined) flags |= ATTR.UIDGID;
    if (attrs.mode !== undefined) flags |= ATTR.PERMISSIONS;
    if (attrs.atime !== undefined && attrs.mtime !== undefined) flags |= ATTR.ACMODTIME;
    this.u32(flags);
    if (attrs.size !== undefined) this.u64(attrs.size);
    if (flags & ATTR.UIDGID) this.u32(attrs.uid!).u32(attrs.gid!);
    if (attrs.mode !== undefined) this.u32(attrs.mode);
    if (flags & ATTR.ACMODTIME) this.u32(attrs.atime!).u32(attrs.mtime!);
    return this;
  }
  finish(): Buffer {
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(this.#length);
    return Buffer.concat([header, ...this.#parts], this.#length + 4);
  }
}

/**
 * Splits a byte stream into packets. `take()` returns the next whole packet (without its length),
 * undefined while it is incomplete; a length over MAX_MSG_LENGTH throws, as sftp-server exits on it.
 */
export class PacketSplitter {
  #chunks: Buffer[] = [];
  #buffered = 0;

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  take(): Buffer | undefined {
    if (this.#buffered < 4) return undefined;
    const head = this.#peek(4);
    const length = head.readUInt32BE(0);
    if (length > MAX_MSG_LENGTH)
      throw new SftpWireError(`packet of ${length} bytes exceeds ${MAX_MSG_LENGTH}`, 11);
    if (this.#buffered < 4 + length) return undefined;
    this.#consume(4);
    return this.#consume(length);
  }

  #peek(n: number): Buffer {
    if (this.#chunks[0]!.length < n) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0]!.subarray(0, n);
  }

  #consume(n: number): Buffer {
    const first = this.#chunks[0];
    let out: Buffer;
    if (first && first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.#chunks);
      out = all.subarray(0, n);
      this.#chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.#buffered -= n;
    return out;
  }
}
