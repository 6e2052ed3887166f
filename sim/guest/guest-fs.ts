// File operations on guest paths with macOS's permission rules, for the commands and SFTP. Host
// errors come back as GuestFsError carrying the guest path, never the host path.
import type { Stats } from 'node:fs';
import {
  appendFile,
  chmod,
  cp,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { posix } from 'node:path';
import { type GuestFsCode, GuestFsError } from './errors.ts';
import { canonicalGuestPath, hostPath, isUnder } from './guest-paths.ts';

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

  resolve(path: string): ResolvedPath {
    const guest = canonicalGuestPath(this.cwd, path);
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
    const { guest, host } = this.resolve(path);
    const info = await this.stat(guest);
    if (!info) throw new GuestFsError('ENOENT', guest);
    if (info.isDirectory() && !options.recursive) throw new GuestFsError('EISDIR', guest);
    this.assertWritable(guest);
    await rm(host, { recursive: true, force: true });
  }

  async copy(from: string, to: string, options: { recursive?: boolean } = {}): Promise<void> {
    const src = this.resolve(from);
    const dst = this.resolve(to);
    const info = await this.stat(src.guest);
    if (!info) throw new GuestFsError('ENOENT', src.guest);
    if (info.isDirectory() && !options.recursive) throw new GuestFsError('EISDIR', src.guest);
    const parent = await this.stat(posix.dirname(dst.guest));
    if (!parent?.isDirectory()) throw new GuestFsError('ENOENT', dst.guest);
    this.assertWritable(dst.guest);
    await cp(src.host, dst.host, { recursive: true, force: true });
  }

  async rename(from: string, to: string): Promise<void> {
    const src = this.resolve(from);
    const dst = this.resolve(to);
    if (!(await this.stat(src.guest))) throw new GuestFsError('ENOENT', src.guest);
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
