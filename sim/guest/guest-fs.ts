// File operations on guest paths with macOS's permission rules, for the commands and SFTP. Host
// errors come back as GuestFsError carrying the guest path, never the host path. Guest symlinks are
// real symlinks in the rootfs, resolved here in guest space (an absolute target means the guest's /),
// so the host path handed to Node never passes through a symlink and nothing escapes the rootfs.
// Synchronous calls: each is a syscall or two on a local disk, and the promise API's thread-pool
// round trips (four for a readFile) cost the sim's daemon more CPU than the syscalls themselves.
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, posix } from 'node:path';
import { type GuestFsCode, GuestFsError } from './errors.ts';
import { canonicalGuestPath, hostPath, isUnder } from './guest-paths.ts';

// MAXSYMLINKS on macOS (sys/param.h).
const MAX_SYMLINKS = 32;

/**
 * What the walk found at host paths of one guest's rootfs: null for an entry that is no symlink,
 * the target for a symlink. A lookup of a deep host path costs the kernel a walk of every component,
 * so each of a path's components costs as much as the whole path; the machine keeps this map for
 * the boot, and every GuestFs operation that can remove an entry or make one a symlink (remove,
 * rename, symlink, copy) clears it. Missing entries are never kept: creating one changes nothing here.
 */
export type LinkCache = Map<string, string | null>;

/** Past this many entries the cache starts over (a boot that walks a huge tree). */
const LINK_CACHE_LIMIT = 50_000;

/** What is at `host` for the walk: missing, a symlink (its target as stored) or anything else. */
function entryAt(host: string, cache: LinkCache | undefined): { link?: string } | undefined {
  const known = cache?.get(host);
  if (known !== undefined) return known === null ? {} : { link: known };
  let entry: { link?: string } | undefined;
  try {
    // No exception for a missing entry: most lookups of a missing path would otherwise throw one.
    const stats = lstatSync(host, { throwIfNoEntry: false });
    entry = stats ? (stats.isSymbolicLink() ? { link: readlinkSync(host) } : {}) : undefined;
  } catch {
    // ENOTDIR (a file used as a folder), EACCES: nothing lies beyond, as for a missing one.
    entry = undefined;
  }
  if (entry && cache) {
    if (cache.size >= LINK_CACHE_LIMIT) cache.clear();
    cache.set(host, entry.link ?? null);
  }
  return entry;
}

/**
 * The guest path with every symlink among its components replaced by its target, in guest space;
 * the last component only when `followLast`. A missing component ends the walk (the rest is lexical).
 */
export function resolveGuestLinks(
  rootfs: string,
  canonical: string,
  followLast: boolean,
  cache?: LinkCache,
): string {
  let pending = canonical.split('/').filter(Boolean);
  let done: string[] = [];
  // The host path of `done`, grown one component at a time (components are canonical: no `.`/`..`).
  let doneHost = hostPath(rootfs, '/');
  let hops = 0;
  while (pending.length > 0) {
    const [name, ...rest] = pending as [string, ...string[]];
    const candidate = [...done, name];
    pending = rest;
    if (pending.length === 0 && !followLast) return `/${candidate.join('/')}`;
    const candidateHost = `${doneHost}/${name}`;
    const entry = entryAt(candidateHost, cache);
    // Nothing below a missing component can exist: the rest is lexical.
    if (entry === undefined) return `/${[...candidate, ...pending].join('/')}`;
    if (entry.link === undefined) {
      done = candidate;
      doneHost = candidateHost;
      continue;
    }
    if (++hops > MAX_SYMLINKS) throw new GuestFsError('ELOOP', `/${[...candidate, ...pending].join('/')}`);
    const base = entry.link.startsWith('/') ? entry.link : posix.join('/', ...done, entry.link);
    pending = [...canonicalGuestPath('/', base).split('/').filter(Boolean), ...pending];
    done = [];
    doneHost = hostPath(rootfs, '/');
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
  readonly #links: LinkCache | undefined;
  constructor(rootfs: string, user: GuestUser, cwd: string, sipEnabled: boolean, links?: LinkCache) {
    this.rootfs = rootfs;
    this.user = user;
    this.cwd = cwd;
    this.sipEnabled = sipEnabled;
    this.#links = links;
  }

  /** Guest and host path of `path`, symlinks followed (the last one too unless `followLast` is false). */
  resolve(path: string, options: { followLast?: boolean } = {}): ResolvedPath {
    const guest = resolveGuestLinks(
      this.rootfs,
      canonicalGuestPath(this.cwd, path),
      options.followLast ?? true,
      this.#links,
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
      return statSync(this.resolve(path).host, { throwIfNoEntry: false });
    } catch {
      return undefined;
    }
  }

  /** Like stat, but a symlink is reported as itself. */
  async lstat(path: string): Promise<Stats | undefined> {
    try {
      return lstatSync(this.resolve(path, { followLast: false }).host, { throwIfNoEntry: false });
    } catch {
      return undefined;
    }
  }

  /** The target of a symlink as stored; undefined when `path` is not one. */
  async readlink(path: string): Promise<string | undefined> {
    const { host } = this.resolve(path, { followLast: false });
    return lstatQuietly(host)?.isSymbolicLink() ? readlinkSync(host) : undefined;
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
      rmSync(host, { recursive: true, force: true });
    }
    this.#links?.clear();
    symlinkSync(target, host);
  }

  async readFile(path: string): Promise<Buffer> {
    const { guest, host } = this.resolve(path);
    const info = await this.stat(path);
    if (!info) throw new GuestFsError('ENOENT', guest);
    if (info.isDirectory()) throw new GuestFsError('EISDIR', guest);
    return readFileSync(host);
  }

  async writeFile(path: string, data: Buffer | string, options: { append?: boolean; mode?: number } = {}) {
    const { guest, host } = this.resolve(path);
    this.assertWritable(guest);
    const parent = await this.stat(posix.dirname(guest));
    if (!parent) throw new GuestFsError('ENOENT', guest);
    if (!parent.isDirectory()) throw new GuestFsError('ENOTDIR', guest);
    const existing = await this.stat(guest);
    if (existing?.isDirectory()) throw new GuestFsError('EISDIR', guest);
    if (options.append) appendFileSync(host, data);
    else writeFileSync(host, data);
    if (options.mode !== undefined) chmodSync(host, options.mode & 0o7777);
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
      mkdirSync(host, { recursive: true });
      return;
    }
    const parent = await this.stat(posix.dirname(guest));
    if (!parent) throw new GuestFsError('ENOENT', guest);
    this.assertWritable(guest);
    mkdirSync(host);
  }

  async readdir(path: string): Promise<string[]> {
    const { guest, host } = this.resolve(path);
    const info = await this.stat(guest);
    if (!info) throw new GuestFsError('ENOENT', guest);
    if (!info.isDirectory()) throw new GuestFsError('ENOTDIR', guest);
    return readdirSync(host).sort();
  }

  async remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    // rm removes a symlink itself, never what it points to.
    const { guest, host } = this.resolve(path, { followLast: false });
    const info = lstatQuietly(host);
    if (!info) throw new GuestFsError('ENOENT', guest);
    if (info.isDirectory() && !options.recursive) throw new GuestFsError('EISDIR', guest);
    this.assertWritable(guest);
    this.#links?.clear();
    rmSync(host, { recursive: true, force: true });
  }

  /**
   * Copies a file, or with `recursive` a tree in which symlinks stay symlinks with the same target
   * text (as `cp -R` and ditto do); a symlink given as `from` is then copied as a link too.
   */
  async copy(from: string, to: string, options: { recursive?: boolean } = {}): Promise<void> {
    const src = this.resolve(from, { followLast: !options.recursive });
    const dst = this.resolve(to);
    const info = lstatQuietly(src.host);
    if (!info) throw new GuestFsError('ENOENT', src.guest);
    if (info.isDirectory() && !options.recursive) throw new GuestFsError('EISDIR', src.guest);
    const parent = await this.stat(posix.dirname(dst.guest));
    if (!parent?.isDirectory()) throw new GuestFsError('ENOENT', dst.guest);
    this.assertWritable(dst.guest);
    this.#links?.clear();
    copyTree(src.host, dst.host);
  }

  async rename(from: string, to: string): Promise<void> {
    const src = this.resolve(from, { followLast: false });
    const dst = this.resolve(to, { followLast: false });
    if (!lstatQuietly(src.host)) throw new GuestFsError('ENOENT', src.guest);
    const parent = await this.stat(posix.dirname(dst.guest));
    if (!parent?.isDirectory()) throw new GuestFsError('ENOENT', dst.guest);
    this.assertWritable(src.guest);
    this.assertWritable(dst.guest);
    this.#links?.clear();
    const target = await this.stat(dst.guest);
    if (target?.isDirectory()) {
      const source = await this.stat(src.guest);
      if (!source?.isDirectory()) throw new GuestFsError('EISDIR', dst.guest);
      if (readdirSync(dst.host).length > 0) throw new GuestFsError('ENOTEMPTY', dst.guest);
      rmSync(dst.host, { recursive: true });
    }
    renameSync(src.host, dst.host);
  }
}

/** lstat, undefined for a path that is missing or cannot be reached. */
function lstatQuietly(host: string): Stats | undefined {
  try {
    return lstatSync(host, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Copies a host tree inside the rootfs without following symlinks; existing files are replaced. */
function copyTree(src: string, dst: string): void {
  const info = lstatSync(src);
  const existing = lstatQuietly(dst);
  if (info.isSymbolicLink()) {
    if (existing) rmSync(dst, { recursive: true, force: true });
    symlinkSync(readlinkSync(src), dst);
    return;
  }
  if (info.isDirectory()) {
    if (existing && !existing.isDirectory()) rmSync(dst, { force: true });
    if (!existing?.isDirectory()) mkdirSync(dst);
    chmodSync(dst, info.mode & 0o7777);
    for (const name of readdirSync(src)) copyTree(join(src, name), join(dst, name));
    return;
  }
  if (existing && !existing.isFile()) rmSync(dst, { recursive: true, force: true });
  copyFileSync(src, dst);
  chmodSync(dst, info.mode & 0o7777);
}
