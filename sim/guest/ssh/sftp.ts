// The sftp subsystem of the guest's sshd, as OpenSSH's sftp-server runs it for the login user.
//
// Ordering: draft-ietf-secsh-filexfer-02 section 6 lets a server answer requests in any order (only
// requests on the same file must take effect in order), but OpenSSH's sftp-server is one loop that
// reads a request, runs it to completion and queues its answer: answers leave in request order. So
// do we, one request at a time; a client that pipelines reads (sftp, scp, ssh2's fastGet) still keeps
// many in flight. Flow control as sftp-server's: no more input is read while an answer waits for
// the channel's window. End: the client's EOF ends the server with status 0 (sftp-server exits 0 on
// "read eof"), and the session then sends exit-status, EOF and close as sshd does for a subsystem.
import type { Stats } from 'node:fs';
import { chmod, constants, type FileHandle, lstat, open, stat, truncate, utimes } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ServerChannel } from 'ssh2';
import type { GuestFs } from '../guest-fs.ts';
import {
  type Attrs,
  FX,
  FXF,
  FXP,
  MAX_MSG_LENGTH,
  PacketReader,
  PacketSplitter,
  PacketWriter,
  SftpWireError,
} from './sftp-wire.ts';

// sftp-server's status_to_message(): the text of every status it sends.
const STATUS_TEXT: Record<number, string> = {
  [FX.OK]: 'Success',
  [FX.EOF]: 'End of file',
  [FX.NO_SUCH_FILE]: 'No such file',
  [FX.PERMISSION_DENIED]: 'Permission denied',
  [FX.FAILURE]: 'Failure',
  [FX.BAD_MESSAGE]: 'Bad message',
  [FX.OP_UNSUPPORTED]: 'Operation unsupported',
};

// The extensions of OpenSSH's VERSION reply that the sim implements. OpenSSH 9.x also offers
// statvfs, fstatvfs, hardlink, lsetstat, copy-data and users-groups-by-id; the sim has no model for
// them, and a client without an extension falls back to the base protocol (or says unsupported).
const EXTENSIONS: [string, string][] = [
  ['posix-rename@openssh.com', '1'],
  ['fsync@openssh.com', '1'],
  ['limits@openssh.com', '1'],
  ['expand-path@openssh.com', '1'],
  ['home-directory', '1'],
];

// sftp-server's SFTP_MAX_READ_LENGTH: a longer READ is cut to it.
const MAX_READ_LENGTH = MAX_MSG_LENGTH - 1024;
// limits@openssh.com's max-open-handles is RLIMIT_NOFILE - 5; macOS's launchd soft limit is 256.
// Reconstructed (the soft limit an sshd session inherits on the Cirrus images is not recorded).
const MAX_OPEN_HANDLES = 256 - 5;
// sftp-server sends at most 100 names per READDIR answer.
const READDIR_BATCH = 100;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

type Handle =
  | { kind: 'file'; fh: FileHandle; guest: string; append: boolean }
  | { kind: 'dir'; entries: NameEntry[]; next: number };

interface NameEntry {
  filename: string;
  longname: string;
  attrs: Attrs;
}

/**
 * Quirk sshd-dies-mid-transfer: `rollDeath` is rolled for each file opened; a file whose roll fired
 * has its first READ or WRITE done, and then the sshd serving the connection dies instead of
 * answering (`die` closes the connection: a dead process's socket goes with it).
 */
export interface SftpFaults {
  rollDeath(): Promise<boolean>;
  die(): void;
}

/** The sshd under the subsystem died (quirk sshd-dies-mid-transfer): nothing more is sent. */
class SshdDied extends Error {}

/** A request that ends the server (sftp-server's fatal()): its exit status. */
class SftpFatal extends Error {
  constructor(
    readonly exitCode: number,
    reason: string,
  ) {
    super(reason);
  }
}

// sftp-server's errno_to_portable().
function statusOf(error: unknown): number {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EBADF':
    case 'ELOOP':
      return FX.NO_SUCH_FILE;
    case 'EPERM':
    case 'EACCES':
    case 'EFAULT':
      return FX.PERMISSION_DENIED;
    case 'ENAMETOOLONG':
    case 'EINVAL':
      return FX.BAD_MESSAGE;
    case 'ENOSYS':
      return FX.OP_UNSUPPORTED;
    default:
      return FX.FAILURE;
  }
}

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

function modeString(mode: number): string {
  const kind = mode & 0o170000;
  const type = kind === 0o040000 ? 'd' : kind === 0o120000 ? 'l' : '-';
  const bits = 'rwxrwxrwx'
    .split('')
    .map((c, i) => (mode & (1 << (8 - i)) ? c : '-'))
    .join('');
  return type + bits;
}

// sftp-server's open(2) flags from the portable ones (flags_from_portable()).
function openFlags(pflags: number): number {
  let flags =
    pflags & FXF.READ && pflags & FXF.WRITE
      ? constants.O_RDWR
      : pflags & FXF.WRITE
        ? constants.O_WRONLY
        : constants.O_RDONLY;
  if (pflags & FXF.APPEND) flags |= constants.O_APPEND;
  if (pflags & FXF.CREAT) flags |= constants.O_CREAT;
  if (pflags & FXF.TRUNC) flags |= constants.O_TRUNC;
  if (pflags & FXF.EXCL) flags |= constants.O_EXCL;
  return flags;
}

/**
 * Serves SFTP on `channel` until the client's EOF (or the channel closes); resolves to the exit
 * status sftp-server would have: 0 at EOF, 11 for a packet over 256 KiB, 255 for a malformed one.
 */
export async function serveSftp(channel: ServerChannel, fs: GuestFs, faults?: SftpFaults): Promise<number> {
  const session = new SftpSession(fs, faults);
  const splitter = new PacketSplitter();
  let closed = false;
  channel.on('close', () => {
    closed = true;
  });
  const write = async (packet: Buffer) => {
    if (closed || channel.writableEnded) return;
    if (channel.write(packet)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        channel.off('drain', done);
        channel.off('close', done);
        resolve();
      };
      channel.on('drain', done);
      channel.on('close', done);
    });
  };
  try {
    // Async iteration reads only while we ask for more: a slow answer holds the client back
    // through the channel window, as sftp-server stops reading while its output queue is full.
    // The channel must outlive the loop: it still carries exit-status, EOF and close.
    for await (const chunk of channel.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      splitter.push(chunk);
      for (let packet = splitter.take(); packet; packet = splitter.take()) {
        const answer = await session.handle(packet);
        if (answer) await write(answer);
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof SftpWireError) return error.exitCode;
    if (error instanceof SftpFatal) return error.exitCode;
    if (error instanceof SshdDied) {
      faults?.die();
      return 255;
    }
    // The channel failed under us (the connection dropped): nothing is left to answer.
    return 255;
  } finally {
    await session.closeAll();
  }
}

class SftpSession {
  readonly #fs: GuestFs;
  readonly #handles = new Map<number, Handle>();
  readonly #faults: SftpFaults | undefined;
  // Files whose first data request kills the sshd (quirk sshd-dies-mid-transfer).
  readonly #doomed = new WeakSet<Handle>();
  #nextHandle = 0;
  #initDone = false;

  constructor(fs: GuestFs, faults?: SftpFaults) {
    this.#fs = fs;
    this.#faults = faults;
  }

  async closeAll(): Promise<void> {
    const open = [...this.#handles.values()];
    this.#handles.clear();
    await Promise.all(open.map((h) => (h.kind === 'file' ? h.fh.close().catch(() => {}) : undefined)));
  }

  /** Runs one request; its answer, or undefined when sftp-server sends none (an unknown type). */
  async handle(packet: Buffer): Promise<Buffer | undefined> {
    const r = new PacketReader(packet);
    const type = r.u8();
    if (type === FXP.INIT) {
      r.u32();
      this.#initDone = true;
      const w = new PacketWriter().u8(FXP.VERSION).u32(3);
      for (const [name, version] of EXTENSIONS) w.bytes(name).bytes(version);
      return w.finish();
    }
    if (!this.#initDone) throw new SftpFatal(255, `request ${type} before init`);
    const id = r.u32();
    try {
      return await this.#dispatch(type, id, r);
    } catch (error) {
      if (error instanceof SftpWireError || error instanceof SftpFatal || error instanceof SshdDied)
        throw error;
      return this.#status(id, statusOf(error));
    }
  }

  #status(id: number, code: number): Buffer {
    return new PacketWriter()
      .u8(FXP.STATUS)
      .u32(id)
      .u32(code)
      .bytes(STATUS_TEXT[code] ?? 'Unknown error')
      .bytes('')
      .finish();
  }

  #names(id: number, entries: NameEntry[]): Buffer {
    const w = new PacketWriter().u8(FXP.NAME).u32(id).u32(entries.length);
    for (const e of entries) w.bytes(e.filename).bytes(e.longname).attrs(e.attrs);
    return w.finish();
  }

  #newHandle(handle: Handle): Buffer {
    const id = this.#nextHandle++;
    this.#handles.set(id, handle);
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(id);
    return buf;
  }

  #lookup(r: PacketReader): { key: number; handle: Handle | undefined } {
    const raw = r.bytes();
    const key = raw.length === 4 ? raw.readUInt32BE(0) : -1;
    return { key, handle: this.#handles.get(key) };
  }

  #file(r: PacketReader): Extract<Handle, { kind: 'file' }> {
    const { handle } = this.#lookup(r);
    // sftp-server: a handle that is not an open file has no fd, and the request fails plainly.
    if (handle?.kind !== 'file') throw errno('EFAILURE');
    return handle;
  }

  #uidOf(guest: string): number {
    const home = this.#fs.user.home;
    return guest === home || guest.startsWith(`${home}/`) ? this.#fs.user.uid : 0;
  }

  #attrs(guest: string, info: Stats): Attrs {
    const uid = this.#uidOf(guest);
    return {
      size: info.size,
      uid,
      gid: uid ? 20 : 0,
      mode: info.mode,
      atime: Math.floor(info.atimeMs / 1000),
      mtime: Math.floor(info.mtimeMs / 1000),
    };
  }

  // OpenSSH's ls_file(): strmode, links, owner, group, size, date, name.
  #longname(name: string, attrs: Attrs, links: number): string {
    const d = new Date((attrs.mtime ?? 0) * 1000);
    const owner = attrs.uid ? this.#fs.user.name : 'root';
    const group = attrs.uid ? 'staff' : 'wheel';
    const when = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    return `${modeString(attrs.mode ?? 0)} ${String(links).padStart(4)} ${owner.padEnd(8)} ${group.padEnd(8)} ${String(attrs.size ?? 0).padStart(8)} ${when} ${name}`;
  }

  #denied(guest: string): void {
    const denial = this.#fs.writeDenial(guest);
    if (denial) throw errno(denial);
  }

  async #setAttrs(target: { path: string } | { fh: FileHandle }, attrs: Attrs): Promise<void> {
    if ('path' in target) {
      if (attrs.size !== undefined) await truncate(target.path, attrs.size);
      if (attrs.mode !== undefined) await chmod(target.path, attrs.mode & 0o7777);
      if (attrs.atime !== undefined && attrs.mtime !== undefined)
        await utimes(target.path, attrs.atime, attrs.mtime);
      return;
    }
    if (attrs.size !== undefined) await target.fh.truncate(attrs.size);
    if (attrs.mode !== undefined) await target.fh.chmod(attrs.mode & 0o7777);
    if (attrs.atime !== undefined && attrs.mtime !== undefined)
      await target.fh.utimes(attrs.atime, attrs.mtime);
  }

  async #dispatch(type: number, id: number, r: PacketReader): Promise<Buffer | undefined> {
    const fs = this.#fs;
    switch (type) {
      case FXP.OPEN: {
        const { guest, host } = fs.resolve(r.string());
        const pflags = r.u32();
        const attrs = r.attrs();
        if (pflags & (FXF.WRITE | FXF.APPEND | FXF.CREAT | FXF.TRUNC)) this.#denied(guest);
        const fh = await open(
          host,
          openFlags(pflags),
          attrs.mode !== undefined ? attrs.mode & 0o7777 : 0o666,
        );
        const file: Handle = { kind: 'file', fh, guest, append: (pflags & FXF.APPEND) !== 0 };
        if (await this.#faults?.rollDeath()) this.#doomed.add(file);
        const handle = this.#newHandle(file);
        return new PacketWriter().u8(FXP.HANDLE).u32(id).bytes(handle).finish();
      }
      case FXP.CLOSE: {
        const { key, handle } = this.#lookup(r);
        if (!handle) throw errno('ENOENT');
        this.#handles.delete(key);
        if (handle.kind === 'file') await handle.fh.close();
        return this.#status(id, FX.OK);
      }
      case FXP.READ: {
        const handle = this.#file(r);
        const offset = r.u64();
        const length = Math.min(r.u32(), MAX_READ_LENGTH);
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = length > 0 ? await handle.fh.read(buffer, 0, length, offset) : { bytesRead: 0 };
        if (bytesRead === 0) return this.#status(id, FX.EOF);
        if (this.#doomed.has(handle)) throw new SshdDied('sshd died mid-transfer');
        return new PacketWriter().u8(FXP.DATA).u32(id).bytes(buffer.subarray(0, bytesRead)).finish();
      }
      case FXP.WRITE: {
        const handle = this.#file(r);
        const offset = r.u64();
        const data = r.bytes();
        // O_APPEND writes land at the end whatever the offset (sftp-server skips its lseek).
        await handle.fh.write(data, 0, data.length, handle.append ? null : offset);
        if (this.#doomed.has(handle)) throw new SshdDied('sshd died mid-transfer');
        return this.#status(id, FX.OK);
      }
      case FXP.STAT:
      case FXP.LSTAT: {
        const follow = type === FXP.STAT;
        const { guest, host } = fs.resolve(r.string(), { followLast: follow });
        const info = await (follow ? stat(host) : lstat(host));
        return new PacketWriter().u8(FXP.ATTRS).u32(id).attrs(this.#attrs(guest, info)).finish();
      }
      case FXP.FSTAT: {
        const handle = this.#file(r);
        const info = await handle.fh.stat();
        return new PacketWriter().u8(FXP.ATTRS).u32(id).attrs(this.#attrs(handle.guest, info)).finish();
      }
      case FXP.SETSTAT: {
        const { guest, host } = fs.resolve(r.string());
        const attrs = r.attrs();
        await stat(host);
        this.#denied(guest);
        await this.#setAttrs({ path: host }, attrs);
        return this.#status(id, FX.OK);
      }
      case FXP.FSETSTAT: {
        const handle = this.#file(r);
        await this.#setAttrs({ fh: handle.fh }, r.attrs());
        return this.#status(id, FX.OK);
      }
      case FXP.OPENDIR: {
        const { guest } = fs.resolve(r.string());
        const names = await fs.readdir(guest);
        const entries: NameEntry[] = [];
        for (const name of ['.', '..', ...names]) {
          const child = name === '.' ? guest : name === '..' ? posix.dirname(guest) : posix.join(guest, name);
          // As sftp-server: each entry is described by lstat (a symlink as itself); gone ones are skipped.
          const info = await lstat(
            fs.resolve(child, { followLast: name === '.' || name === '..' }).host,
          ).catch(() => undefined);
          if (!info) continue;
          const attrs = this.#attrs(child, info);
          entries.push({ filename: name, longname: this.#longname(name, attrs, info.nlink), attrs });
        }
        const handle = this.#newHandle({ kind: 'dir', entries, next: 0 });
        return new PacketWriter().u8(FXP.HANDLE).u32(id).bytes(handle).finish();
      }
      case FXP.READDIR: {
        const { handle } = this.#lookup(r);
        if (handle?.kind !== 'dir') return this.#status(id, FX.FAILURE);
        const batch = handle.entries.slice(handle.next, handle.next + READDIR_BATCH);
        handle.next += batch.length;
        return batch.length ? this.#names(id, batch) : this.#status(id, FX.EOF);
      }
      case FXP.REMOVE: {
        const path = r.string();
        // unlink(2) of a folder is EPERM on macOS.
        if ((await fs.lstat(path))?.isDirectory()) throw errno('EPERM');
        await fs.remove(path);
        return this.#status(id, FX.OK);
      }
      case FXP.MKDIR: {
        const path = r.string();
        const attrs = r.attrs();
        await fs.mkdir(path);
        if (attrs.mode !== undefined) await chmod(fs.resolve(path).host, attrs.mode & 0o7777);
        return this.#status(id, FX.OK);
      }
      case FXP.RMDIR: {
        const { guest } = fs.resolve(r.string(), { followLast: false });
        const info = await lstat(fs.resolve(guest, { followLast: false }).host);
        if (!info.isDirectory()) throw errno('ENOTDIR');
        if ((await fs.readdir(guest)).length > 0) throw errno('ENOTEMPTY');
        await fs.remove(guest, { recursive: true });
        return this.#status(id, FX.OK);
      }
      case FXP.REALPATH: {
        const path = r.string();
        const { guest } = fs.resolve(path === '' ? '.' : path);
        // sftp_realpath() fails when a folder on the way is missing; the last name may be new.
        if (!(await fs.stat(posix.dirname(guest)))?.isDirectory()) throw errno('ENOENT');
        return this.#names(id, [{ filename: guest, longname: guest, attrs: {} }]);
      }
      case FXP.RENAME: {
        const from = r.string();
        const to = r.string();
        // Version 3 RENAME never replaces: sftp-server links the new name first (EEXIST: Failure).
        if (await fs.lstat(to)) throw errno('EEXIST');
        await fs.rename(from, to);
        return this.#status(id, FX.OK);
      }
      case FXP.READLINK: {
        const target = await fs.readlink(r.string());
        if (target === undefined) throw errno('EINVAL');
        return this.#names(id, [{ filename: target, longname: target, attrs: {} }]);
      }
      case FXP.SYMLINK: {
        // OpenSSH sends (and its server reads) the target first: the reverse of the draft's order.
        const target = r.string();
        const link = r.string();
        await fs.symlink(target, link);
        return this.#status(id, FX.OK);
      }
      case FXP.EXTENDED:
        return this.#extended(id, r);
      default:
        // sftp-server logs "Unknown message" and answers nothing.
        return undefined;
    }
  }

  async #extended(id: number, r: PacketReader): Promise<Buffer> {
    const fs = this.#fs;
    switch (r.string()) {
      case 'posix-rename@openssh.com': {
        const from = r.string();
        const to = r.string();
        await fs.rename(from, to);
        return this.#status(id, FX.OK);
      }
      case 'fsync@openssh.com': {
        await this.#file(r).fh.sync();
        return this.#status(id, FX.OK);
      }
      case 'limits@openssh.com':
        return new PacketWriter()
          .u8(FXP.EXTENDED_REPLY)
          .u32(id)
          .u64(MAX_MSG_LENGTH)
          .u64(MAX_READ_LENGTH)
          .u64(MAX_MSG_LENGTH - 1024)
          .u64(MAX_OPEN_HANDLES)
          .finish();
      case 'expand-path@openssh.com': {
        let path = r.string();
        if (path === '~' || path.startsWith('~/')) path = fs.user.home + path.slice(1);
        else if (path.startsWith('~')) throw errno('ENOENT');
        const { guest } = fs.resolve(path === '' ? '.' : path);
        return this.#names(id, [{ filename: guest, longname: guest, attrs: {} }]);
      }
      case 'home-directory': {
        const name = r.string();
        if (name !== fs.user.name) throw errno('ENOENT');
        return this.#names(id, [{ filename: fs.user.home, longname: fs.user.home, attrs: {} }]);
      }
      default:
        return this.#status(id, FX.OP_UNSUPPORTED);
    }
  }
}
