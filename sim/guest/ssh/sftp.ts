// The sftp subsystem of the guest's sshd, as the login user: positional reads and writes (so the
// client's parallel fastPut/fastGet stream), relative paths against the home folder, failures as
// SFTP status codes.
import type { Stats } from 'node:fs';
import { chmod, type FileHandle, lstat, open, stat, utimes } from 'node:fs/promises';
import { posix } from 'node:path';
import ssh2, { type Attributes, type FileEntry, type SFTPWrapper } from 'ssh2';
import type { GuestFs } from '../guest-fs.ts';

const { STATUS_CODE, OPEN_MODE } = ssh2.utils.sftp;

type Handle = { kind: 'file'; fh: FileHandle } | { kind: 'dir'; entries: FileEntry[]; sent: boolean };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function modeString(mode: number): string {
  const kind = mode & 0o170000;
  const type = kind === 0o040000 ? 'd' : kind === 0o120000 ? 'l' : '-';
  const bits = 'rwxrwxrwx'
    .split('')
    .map((c, i) => (mode & (1 << (8 - i)) ? c : '-'))
    .join('');
  return type + bits;
}

export function attachSftp(sftp: SFTPWrapper, fs: GuestFs): void {
  const handles = new Map<number, Handle>();
  let nextHandle = 1;
  const uidOf = (guest: string) =>
    guest.startsWith(`${fs.user.home}/`) || guest === fs.user.home ? fs.user.uid : 0;
  const toAttrs = (guest: string, info: Stats): Attributes => ({
    mode: info.mode,
    uid: uidOf(guest),
    gid: uidOf(guest) ? 20 : 0,
    size: info.size,
    atime: Math.floor(info.atimeMs / 1000),
    mtime: Math.floor(info.mtimeMs / 1000),
  });
  const longname = (name: string, attrs: Attributes) => {
    const d = new Date(attrs.mtime * 1000);
    const owner = attrs.uid ? fs.user.name : 'root';
    const group = attrs.uid ? 'staff' : 'wheel';
    return `${modeString(attrs.mode)}    1 ${owner.padEnd(8)} ${group.padEnd(8)} ${String(attrs.size).padStart(8)} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} ${name}`;
  };
  const newHandle = (handle: Handle) => {
    const id = nextHandle++;
    handles.set(id, handle);
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(id);
    return buf;
  };
  const lookup = (buf: Buffer) => (buf.length === 4 ? handles.get(buf.readUInt32BE(0)) : undefined);
  const failWith = (reqid: number, error: unknown) => {
    const code = (error as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE, 'No such file');
    else if (code === 'EACCES' || code === 'EPERM')
      sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'Permission denied');
    else sftp.status(reqid, STATUS_CODE.FAILURE, code === 'EEXIST' ? 'File exists' : 'Failure');
  };
  // Handlers never throw into ssh2: every failure becomes a status reply.
  const guard =
    <A extends unknown[]>(fn: (reqid: number, ...args: A) => Promise<void>) =>
    (reqid: number, ...args: A) => {
      fn(reqid, ...args).catch((error: unknown) => {
        try {
          failWith(reqid, error);
        } catch {
          // The channel is gone.
        }
      });
    };
  const denied = (reqid: number, guest: string) => {
    if (!fs.writeDenial(guest)) return false;
    sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'Permission denied');
    return true;
  };

  sftp.on(
    'OPEN',
    guard(async (reqid, filename: string, flags: number, attrs: Attributes) => {
      const { guest, host } = fs.resolve(filename);
      const writing =
        (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND | OPEN_MODE.CREAT | OPEN_MODE.TRUNC)) !== 0;
      if (writing && denied(reqid, guest)) return;
      const info = await stat(host).catch(() => undefined);
      if (info?.isDirectory()) return sftp.status(reqid, STATUS_CODE.FAILURE, 'Is a directory');
      const mode = ssh2.utils.sftp.flagsToString(flags);
      if (!mode) return sftp.status(reqid, STATUS_CODE.FAILURE, 'Bad open flags');
      const fh = await open(host, mode, attrs.mode !== undefined ? attrs.mode & 0o7777 : 0o644);
      sftp.handle(reqid, newHandle({ kind: 'file', fh }));
    }),
  );
  sftp.on(
    'READ',
    guard(async (reqid, handle: Buffer, offset: number, length: number) => {
      const h = lookup(handle);
      if (h?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE, 'Bad handle');
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await h.fh.read(buffer, 0, length, offset);
      if (bytesRead === 0) return sftp.status(reqid, STATUS_CODE.EOF);
      sftp.data(reqid, buffer.subarray(0, bytesRead));
    }),
  );
  sftp.on(
    'WRITE',
    guard(async (reqid, handle: Buffer, offset: number, data: Buffer) => {
      const h = lookup(handle);
      if (h?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE, 'Bad handle');
      await h.fh.write(data, 0, data.length, offset);
      sftp.status(reqid, STATUS_CODE.OK);
    }),
  );
  sftp.on(
    'FSTAT',
    guard(async (reqid, handle: Buffer) => {
      const h = lookup(handle);
      if (h?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE, 'Bad handle');
      sftp.attrs(reqid, toAttrs('', await h.fh.stat()));
    }),
  );
  sftp.on(
    'FSETSTAT',
    guard(async (reqid, handle: Buffer, attrs: Attributes) => {
      const h = lookup(handle);
      if (h?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE, 'Bad handle');
      if (attrs.mode !== undefined) await h.fh.chmod(attrs.mode & 0o7777);
      if (attrs.atime !== undefined && attrs.mtime !== undefined) await h.fh.utimes(attrs.atime, attrs.mtime);
      sftp.status(reqid, STATUS_CODE.OK);
    }),
  );
  sftp.on(
    'CLOSE',
    guard(async (reqid, handle: Buffer) => {
      const h = lookup(handle);
      if (!h) return sftp.status(reqid, STATUS_CODE.FAILURE, 'Bad handle');
      handles.delete(handle.readUInt32BE(0));
      if (h.kind === 'file') await h.fh.close();
      sftp.status(reqid, STATUS_CODE.OK);
    }),
  );
  const statPath = (followLast: boolean) =>
    guard(async (reqid, path: string) => {
      const { guest, host } = fs.resolve(path, { followLast });
      sftp.attrs(reqid, toAttrs(guest, await (followLast ? stat(host) : lstat(host))));
    });
  sftp.on('STAT', statPath(true));
  // LSTAT reports a symlink as itself (S_IFLNK), as OpenSSH's sftp-server does.
  sftp.on('LSTAT', statPath(false));
  sftp.on(
    'SETSTAT',
    guard(async (reqid, path: string, attrs: Attributes) => {
      const { guest, host } = fs.resolve(path);
      await stat(host);
      if (denied(reqid, guest)) return;
      if (attrs.mode !== undefined) await chmod(host, attrs.mode & 0o7777);
      if (attrs.atime !== undefined && attrs.mtime !== undefined)
        await utimes(host, attrs.atime, attrs.mtime);
      sftp.status(reqid, STATUS_CODE.OK);
    }),
  );
  sftp.on(
    'OPENDIR',
    guard(async (reqid, path: string) => {
      const { guest } = fs.resolve(path);
      const names = await fs.readdir(guest);
      const entries: FileEntry[] = [];
      for (const name of ['.', '..', ...names]) {
        const child = name === '.' ? guest : name === '..' ? posix.dirname(guest) : posix.join(guest, name);
        // As OpenSSH's sftp-server: a listed symlink is described by lstat, as itself.
        const info = await lstat(fs.resolve(child, { followLast: name === '.' || name === '..' }).host).catch(
          () => undefined,
        );
        if (!info) continue;
        const attrs = toAttrs(child, info);
        entries.push({ filename: name, longname: longname(name, attrs), attrs });
      }
      sftp.handle(reqid, newHandle({ kind: 'dir', entries, sent: false }));
    }),
  );
  sftp.on(
    'READDIR',
    guard(async (reqid, handle: Buffer) => {
      const h = lookup(handle);
      if (h?.kind !== 'dir') return sftp.status(reqid, STATUS_CODE.FAILURE, 'Bad handle');
      if (h.sent) return sftp.status(reqid, STATUS_CODE.EOF);
      h.sent = true;
      sftp.name(reqid, h.entries);
    }),
  );
  sftp.on(
    'MKDIR',
    guard(async (reqid, path: string) => {
      await fs.mkdir(path);
      sftp.status(reqid, STATUS_CODE.OK);
    }),
  );
  sftp.on(
    'RMDIR',
    guard(async (reqid, path: string) => {
      const { guest } = fs.resolve(path);
      const names = await fs.readdir(guest);
      if (names.length > 0) return sftp.status(reqid, STATUS_CODE.FAILURE, 'Directory not empty');
      await fs.remove(guest, { recursive: true });
      sftp.status(reqid, STATUS_CODE.OK);
    }),
  );
  sftp.on(
    'REMOVE',
    guard(async (reqid, path: string) => {
      await fs.remove(path);
      sftp.status(reqid, STATUS_CODE.OK);
    }),
  );
  sftp.on(
    'RENAME',
    guard(async (reqid, from: string, to: string) => {
      // SFTP v3 rename does not overwrite (OpenSSH answers FAILURE).
      if (await fs.stat(to)) return sftp.status(reqid, STATUS_CODE.FAILURE, 'File exists');
      await fs.rename(from, to);
      sftp.status(reqid, STATUS_CODE.OK);
    }),
  );
  sftp.on(
    'REALPATH',
    guard(async (reqid, path: string) => {
      const { guest } = fs.resolve(path === '' ? '.' : path);
      sftp.name(reqid, [{ filename: guest, longname: guest, attrs: {} as Attributes }]);
    }),
  );
  sftp.on('close', () => {
    for (const h of handles.values()) if (h.kind === 'file') h.fh.close().catch(() => {});
    handles.clear();
  });
}
