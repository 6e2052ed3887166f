// File operations on guest paths with macOS's permission rules, for the commands and SFTP. Host
// errors come back as GuestFsError carrying the guest path, never the host path. Guest symlinks are
// real symlinks in the rootfs, resolved here in guest space (an absolute target means the guest's /),
// so the host path handed to Node never passes through a symlink and nothing escapes the rootfs.
import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import {
  appendFile,
  chmod,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join, posix } from 'node:path';
import { type GuestFsCode, GuestFsError } from './errors.ts';
import { canonicalGuestPath, hostPath, isUnder } from './guest-paths.ts';

// MAXSYMLINKS on macOS (sys/param.h).
const MAX_SYMLINKS = 32;

function linkTarget(host: string): string | undefined {
  try {
    return lstatSync(host).isSymbolicLink() ? readlinkSync(host) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The guest path with every symlink among its components replaced by its target, in guest space;
 * the last component only when `followLast`. A missing component ends the walk (the rest is lexical).
 */
export function resolveGuestLinks(rootfs: string, canonical: string, followLast: boolean): string {
  let pending = canonical.split('/').filter(Boolean);
  let done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const [name, ...rest] = pending as [string, ...string[]];
    const candidate = [...done, name];
    pending = rest;
    if (pending.length === 0 && !followLast) return `/${candidate.join('/')}`;
    const target = linkTarget(hostPath(rootfs, `/${candidate.join('/')}`));
    if (target === undefined) {
      done = candidate;
      continue;
    }
    if (++hops > MAX_SYMLINKS) throw new GuestFsError('ELOOP', `/${[...candidate, ...pending].join('/')}`);
    const base = target.startsWith('/') ? target : posix.join('/', ...done, target);
    pending = [...canonicalGuestPath('/', base).split('/').filter(Boolean), ...pending];
    done = [];
  }
  return `/${done.join('/')}`;
}

export interface GuestUser {
  name: string;
  uid: number;
  home: string;
}

export const ROOT_USER: GuestUser = { name: 'root', uid: 0, home: '/var/root' };

// Places a non-admin process may write (the rest of the disk is root's, as on a real Mac).
const USER_WRITABLE = ['/private/tmp', '/private/var/tmp', '/private/var/folders', '/Users/Shared'];

export interface ResolvedPath {
  /** Canonical guest path. */
  guest: string;
  host: string;
}

export class GuestFs {
  readonly rootfs: string;
  readonly user: GuestUser;
  readonly cwd: string;
  readonly sipEnabled: boolean;
  constructor(rootfs: string, user: GuestUser, cwd: string, sipEnabled: boolean) {
    this.rootfs = rootfs;
    this.user = user;
    this.cwd = cwd;
    this.sipEnabled = sipEnabled;
  }

  /** Guest and host path of `path`, symlinks followed (the last one too unless `followLast` is false). */
  resolve(path: string, options: { followLast?: boolean } = {}): ResolvedPath {
    const guest = resolveGuestLinks(
      this.rootfs,
      canonicalGuestPath(this.cwd, path),
      options.followLast ?? true,
    );
    return { guest, host: hostPath(this.rootfs, guest) };
  }

  /** Why the user may not modify `guest` (canonical), or undefined when allowed. */
  writeDenial(guest: string): GuestFsCode | undefined {
    if (this.user.uid === 0) {
      // SIP keeps even root out of /System.
      return this.sipEnabled && isUnder(guest, '/System') ? 'EPERM' : undefined;
    }
    if (isUnder(guest, this.user.home) && guest !== this.user.home) return undefined;
    if (USER_WRITABLE.some((dir) => isUnder(guest, dir) && guest !== dir)) return undefined;
    return 'EACCES';
  }

  assertWritable(guest: string): void {
    const denial = this.writeDenial(guest);
    if (denial) throw new GuestFsError(denial, guest);
  }

  async stat(path: string): Promise<Stats | undefined> {
    try {
      return await stat(this.resolve(path).host);
    } catch {
      return undefined;
    }
  }

  /** Like stat, but a symlink is reported as itself. */
  async lstat(path: string): Promise<Stats | undefined> {
    try {
      return await lstat(this.resolve(path, { followLast: false }).host);
    } catch {
      return undefined;
    }
  }

  /** The target of a symlink as stored; undefined when `path` is not one. */
  async readlink(path: string): Promise<string | undefined> {
    const { host } = this.resolve(path, { followLast: false });
    return (await lstat(host).catch(() => undefined))?.isSymbolicLink() ? readlink(host) : undefined;
  }

  /** Makes `path` a symlink to `target`; `replace` removes a file, link or folder already there. */
  async symlink(target: string, path: string, options: { replace?: boolean } = {}): Promise<void> {
    const { guest, host } = this.resolve(path, { followLast: false });
    this.assertWritable(guest);
    const parent = await this.stat(posix.dirname(guest));
    if (!parent) throw new GuestFsError('ENOENT', guest);
    if (!parent.isDirectory()) throw new GuestFsError('ENOTDIR', guest);
    if (await this.lstat(guest)) {
      if (!options.replace) throw new GuestFsError('EEXIST', guest);
      await rm(host, { recursive: true, force: true });
    }
    await symlink(target, host);
  }

  async readFile(path: string): Promise<Buffer> {
    const { guest, host } = this.resolve(path);
    const info = await this.stat(path);
    if (!info) throw new GuestFsError('ENOENT', guest);
    if (info.isDirectory()) throw new GuestFsError('EISDIR', guest);
    return readFile(host);
  }

  async writeFile(path: string, data: Buffer | string, options: { append?: boolean; mode?: number } = {}) {
    const { guest, host } = this.resolve(path);
    this.assertWritable(guest);
    const parent = await this.stat(posix.dirname(guest));
    if (!parent) throw new GuestFsError('ENOENT', guest);
    if (!parent.isDirectory()) throw new GuestFsError('ENOTDIR', guest);
    const existing = await this.stat(guest);
    if (existing?.isDirectory()) throw new GuestFsError('EISDIR', guest);
    await (options.append ? appendFile(host, data) : writeFile(host, data));
    if (options.mode !== undefined) await chmod(host, options.mode & 0o7777);
  }

  async mkdir(path: string, options: { parents?: boolean } = {}): Promise<void> {
    const { guest, host } = this.resolve(path);
    const existing = await this.stat(guest);
    if (existing) {
      if (options.parents && existing.isDirectory()) return;
      throw new GuestFsError('EEXIST', guest);
    }
    if (options.parents) {
      // Every missing ancestor needs the write permission, the first denied one is reported.
      const parts = guest.split('/').filter(Boolean);
      let current = '';
      for (const part of parts) {
        current += `/${part}`;
        const info = await this.stat(current);
        if (info && !info.isDirectory()) throw new GuestFsError('ENOTDIR', current);
        if (!info) this.assertWritable(current);
      }
      await mkdir(host, { recursive: true });
      return;
    }
    const parent = await this.stat(posix.dirname(guest));
    if (!parent) throw new GuestFsError('ENOENT', guest);
    this.assertWritable(guest);
    await mkdir(host);
  }

  async readdir(path: string): Promise<string[]> {
    const { guest, host } = this.resolve(path);
    const info = await this.stat(guest);
    if (!info) throw new GuestFsError('ENOENT', guest);
    if (!info.isDirectory()) throw new GuestFsError('ENOTDIR', guest);
    return (await readdir(host)).sort();
  }

  async remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    // rm removes a symlink itself, never what it points to.
    const { guest, host } = this.resolve(path, { followLast: false });
    const info = await lstat(host).catch(() => undefined);
    if (!info) throw new GuestFsError('ENOENT', guest);
    if (info.isDirectory() && !options.recursive) throw new GuestFsError('EISDIR', guest);
    this.assertWritable(guest);
    await rm(host, { recursive: true, force: true });
  }

  /**
   * Copies a file, or with `recursive` a tree in which symlinks stay symlinks with the same target
   * text (as `cp -R` and ditto do); a symlink given as `from` is then copied as a link too.
   */
  async copy(from: string, to: string, options: { recursive?: boolean } = {}): Promise<void> {
    const src = this.resolve(from, { followLast: !options.recursive });
    const dst = this.resolve(to);
    const info = await lstat(src.host).catch(() => undefined);
    if (!info) throw new GuestFsError('ENOENT', src.guest);
    if (info.isDirectory() && !options.recursive) throw new GuestFsError('EISDIR', src.guest);
    const parent = await this.stat(posix.dirname(dst.guest));
    if (!parent?.isDirectory()) throw new GuestFsError('ENOENT', dst.guest);
    this.assertWritable(dst.guest);
    await copyTree(src.host, dst.host);
  }

  async rename(from: string, to: string): Promise<void> {
    const src = this.resolve(from, { followLast: false });
    const dst = this.resolve(to, { followLast: false });
    if (!(await lstat(src.host).catch(() => undefined))) throw new GuestFsError('ENOENT', src.guest);
    const parent = await this.stat(posix.dirname(dst.guest));
    if (!parent?.isDirectory()) throw new GuestFsError('ENOENT', dst.guest);
    this.assertWritable(src.guest);
    this.assertWritable(dst.guest);
    const target = await this.stat(dst.guest);
    if (target?.isDirectory()) {
      const source = await this.stat(src.guest);
      if (!source?.isDirectory()) throw new GuestFsError('EISDIR', dst.guest);
      if ((await readdir(dst.host)).length > 0) throw new GuestFsError('ENOTEMPTY', dst.guest);
      await rm(dst.host, { recursive: true });
    }
    await rename(src.host, dst.host);
  }
}

/** Copies a host tree inside the rootfs without following symlinks; existing files are replaced. */
async function copyTree(src: string, dst: string): Promise<void> {
  const info = await lstat(src);
  const existing = await lstat(dst).catch(() => undefined);
  if (info.isSymbolicLink()) {
    if (existing) await rm(dst, { recursive: true, force: true });
    await symlink(await readlink(src), dst);
    return;
  }
  if (info.isDirectory()) {
    if (existing && !existing.isDirectory()) await rm(dst, { force: true });
    if (!existing?.isDirectory()) await mkdir(dst);
    await chmod(dst, info.mode & 0o7777);
    for (const name of await readdir(src)) await copyTree(join(src, name), join(dst, name));
    return;
  }
  if (existing && !existing.isFile()) await rm(dst, { recursive: true, force: true });
  await copyFile(src, dst);
  await chmod(dst, info.mode & 0o7777);
}
