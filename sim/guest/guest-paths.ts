// Guest path arithmetic: guest path /X lives at <rootfs>/X. Paths are normalised lexically before
// they touch the host, so `..` can never climb out of the rootfs. Guest symlinks (real symlinks in the
// rootfs) are followed by GuestFs.resolve in guest space, never by the host.
import { join, posix } from 'node:path';

// macOS's firmlinks/symlinks at the root: /tmp, /var and /etc point into /private.
const ROOT_ALIASES: [string, string][] = [
  ['/tmp', '/private/tmp'],
  ['/var', '/private/var'],
  ['/etc', '/private/etc'],
];

/** Absolute, normalised guest path for `path` typed in directory `cwd` (which is absolute). */
export function absoluteGuestPath(cwd: string, path: string): string {
  const joined = path.startsWith('/') ? path : posix.join(cwd, path);
  // Lexical normalisation against "/" clamps every `..` at the root.
  const normal = posix.resolve('/', joined);
  return normal;
}

/** The canonical guest path (aliases resolved), as realpath(3) would give it. */
export function canonicalGuestPath(cwd: string, path: string): string {
  const abs = absoluteGuestPath(cwd, path);
  for (const [alias, target] of ROOT_ALIASES) {
    if (abs === alias || abs.startsWith(`${alias}/`)) return target + abs.slice(alias.length);
  }
  return abs;
}

/** Host path of a canonical guest path. */
export function hostPath(rootfs: string, canonical: string): string {
  return join(rootfs, ...canonical.split('/').filter(Boolean));
}

/** True when `path` equals `dir` or lies beneath it (both canonical). */
export function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}
