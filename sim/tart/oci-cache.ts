// Remote names and the OCI cache: cache/OCIs/<host>/<namespace>/<tag> is a symlink to the
// sibling folder sha256:<digest>, which holds a VM folder like vms/<name>/.
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  symlinkSync,
} from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { ImageManifest } from '../images.ts';
import { unlinkQuietly } from './run-lock.ts';
import { isInitialized, tartHome } from './storage.ts';

export interface RemoteName {
  host: string;
  namespace: string;
  /** A tag (`latest`) or a digest (`sha256:<hex>`). */
  reference: { kind: 'tag'; value: string } | { kind: 'digest'; value: string };
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Parses `host/namespace[:tag|@sha256:hex]`; undefined for a local name. As in tart, a remote name
 * needs a registry host (a dot, a port or `localhost`) followed by a namespace.
 */
export function parseRemoteName(name: string): RemoteName | undefined {
  const slash = name.indexOf('/');
  if (slash <= 0) return undefined;
  const host = name.slice(0, slash);
  if (!/[.:]/.test(host) && host !== 'localhost') return undefined;
  let rest = name.slice(slash + 1);
  let reference: RemoteName['reference'] = { kind: 'tag', value: 'latest' };
  const at = rest.indexOf('@');
  if (at >= 0) {
    const digest = rest.slice(at + 1);
    if (!DIGEST.test(digest)) return undefined;
    reference = { kind: 'digest', value: digest };
    rest = rest.slice(0, at);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      const tag = rest.slice(colon + 1);
      if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag)) return undefined;
      reference = { kind: 'tag', value: tag };
      rest = rest.slice(0, colon);
    }
  }
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(rest)) return undefined;
  return { host, namespace: rest, reference };
}

export function formatRemoteName(remote: RemoteName): string {
  const separator = remote.reference.kind === 'tag' ? ':' : '@';
  return `${remote.host}/${remote.namespace}${separator}${remote.reference.value}`;
}

export function ociRoot(): string {
  return join(tartHome(), 'cache', 'OCIs');
}

export function repositoryDir(remote: RemoteName): string {
  return join(ociRoot(), remote.host, ...remote.namespace.split('/'));
}

export function cacheDirFor(remote: RemoteName): string {
  return join(repositoryDir(remote), remote.reference.value);
}

/** The sim registry's digest of an image: stable for a manifest, so a re-pull hits the cache. */
export function manifestDigest(manifest: ImageManifest): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(manifest)).digest('hex')}`;
}

export function isCached(remote: RemoteName): boolean {
  return isInitialized(cacheDirFor(remote));
}

/** The digest a cached name points to: the link target of a tag, or the digest itself. */
export function linkedDigest(remote: RemoteName): string | undefined {
  if (remote.reference.kind === 'digest') return isCached(remote) ? remote.reference.value : undefined;
  try {
    const target = basename(readlinkSync(cacheDirFor(remote)));
    return DIGEST.test(target) ? target : undefined;
  } catch {
    return undefined;
  }
}

/** Points the tag at the digest folder, replacing an older link atomically. */
export function linkTag(remote: RemoteName, digest: string): void {
  const link = cacheDirFor(remote);
  mkdirSync(dirname(link), { recursive: true });
  const tmp = `${link}.${process.pid}.link`;
  unlinkQuietly(tmp);
  symlinkSync(digest, tmp);
  renameSync(tmp, link);
}

export interface OciEntry {
  name: string;
  dir: string;
}

/** Every cached image, once by tag and once by digest, as `tart list --source oci` shows them. */
export function listOciEntries(): OciEntry[] {
  const root = ociRoot();
  const entries: OciEntry[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      const parts = relative(root, dir).split(sep);
      if (parts.length >= 2 && isInitialized(path)) {
        const [host, ...namespace] = parts;
        const separator = DIGEST.test(name) ? '@' : ':';
        entries.push({ name: `${host}/${namespace.join('/')}${separator}${name}`, dir: path });
      } else if (lstatSync(path).isDirectory()) {
        walk(path);
      }
    }
  };
  if (existsSync(root)) walk(root);
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
