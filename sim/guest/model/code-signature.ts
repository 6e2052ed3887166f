// Static validation of a bundle's code signature, as `codesign --verify [--deep]` and sysextd do it,
// over the sim's stand-ins: the signature plist binds the executable, the Info.plist and the resource
// seal (_CodeSignature/CodeResources); the seal binds every other file, every symlink (as a link, by
// its target) and nested code (by CDHash). A framework's root must hold only `Versions` and symlinks
// to their namesakes in `Versions/Current`, itself a symlink to a version (Security's
// validateFrameworkRoot). Messages are codesign's; a failure inside nested code names the subcomponent.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { CODE_RESOURCES, NESTED_CODE, STAND_IN_SIGNATURE } from '../../builds/code-resources.ts';
import type { GuestFs } from '../guest-fs.ts';
import { isDict, type PlistDict, parsePlist } from '../plist.ts';

export type VerifyResult =
  | { valid: true }
  | {
      valid: false;
      /** codesign's reason, e.g. `a sealed resource is missing or invalid`. */
      reason: string;
      /** `file modified: <path>` lines and the like. */
      details: string[];
      /** The nested bundle that failed (absolute guest path), when it was not the bundle itself. */
      subcomponent?: string;
    };

const NOT_SIGNED = 'code object is not signed at all';
const UNSEALED_ROOT = 'unsealed contents present in the root directory of an embedded framework';
const SEAL_BROKEN = 'a sealed resource is missing or invalid';

interface Layout {
  /** Folder holding _CodeSignature: `Contents` or `Versions/<current>`. */
  content: string;
  infoPlist: string;
  /** Paths relative to `content` the code directory binds, so the seal leaves them out. */
  bound: Set<string>;
}

const hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const text = (dict: PlistDict, key: string) => (typeof dict[key] === 'string' ? (dict[key] as string) : '');

async function readPlist(fs: GuestFs, path: string): Promise<PlistDict | undefined> {
  try {
    const value = parsePlist((await fs.readFile(path)).toString('utf8'), path);
    return isDict(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Security's validateFrameworkRoot: only `Versions` and namesake symlinks at the root. */
async function frameworkRootValid(fs: GuestFs, bundle: string): Promise<boolean> {
  const current = await fs.readlink(posix.join(bundle, 'Versions/Current'));
  if (current === undefined || !/^(\.\/)?[^/]+$/.test(current)) return false;
  if (!(await fs.stat(posix.join(bundle, 'Versions', current)))?.isDirectory()) return false;
  for (const name of await fs.readdir(posix.join(bundle, 'Versions'))) {
    if (name === 'Current' || name === '.DS_Store') continue;
    if (!(await fs.lstat(posix.join(bundle, 'Versions', name)))?.isDirectory()) return false;
  }
  for (const name of await fs.readdir(bundle)) {
    if (name === 'Versions' || name === '.DS_Store') {
      if (name === 'Versions' && !(await fs.lstat(posix.join(bundle, name)))?.isDirectory()) return false;
      continue;
    }
    const target = await fs.readlink(posix.join(bundle, name));
    if (target !== `Versions/Current/${name}` && target !== `Versions/${current}/${name}`) return false;
  }
  return true;
}

async function layoutOf(fs: GuestFs, bundle: string): Promise<Layout | undefined> {
  if (bundle.endsWith('.framework')) {
    const current = await fs.readlink(posix.join(bundle, 'Versions/Current'));
    if (current === undefined) return undefined;
    const content = posix.join('Versions', current);
    return { content, infoPlist: 'Resources/Info.plist', bound: new Set() };
  }
  return { content: 'Contents', infoPlist: 'Info.plist', bound: new Set(['Info.plist']) };
}

type Actual = { kind: 'file'; sha256: Buffer } | { kind: 'symlink'; target: string } | { kind: 'nested' };

/** Everything the seal should cover under `dir`: files, symlinks and nested bundles. */
async function walk(fs: GuestFs, dir: string, rel: string, out: Map<string, Actual>): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    const path = posix.join(dir, name);
    const relPath = rel ? `${rel}/${name}` : name;
    if (relPath === '_CodeSignature') continue;
    const info = await fs.lstat(path);
    if (!info) continue;
    if (info.isSymbolicLink()) out.set(relPath, { kind: 'symlink', target: (await fs.readlink(path)) ?? '' });
    else if (info.isDirectory() && NESTED_CODE.test(name)) out.set(relPath, { kind: 'nested' });
    else if (info.isDirectory()) await walk(fs, path, relPath, out);
    else
      out.set(relPath, {
        kind: 'file',
        sha256: createHash('sha256')
          .update(await fs.readFile(path))
          .digest(),
      });
  }
}

/** Validates the signature of the bundle at `bundle` (an absolute or cwd-relative guest path). */
export async function verifyCode(
  fs: GuestFs,
  bundle: string,
  options: { deep?: boolean } = {},
): Promise<VerifyResult> {
  const fail = (reason: string, details: string[] = []): VerifyResult => ({ valid: false, reason, details });
  if (bundle.endsWith('.framework') && !(await frameworkRootValid(fs, bundle))) return fail(UNSEALED_ROOT);
  const layout = await layoutOf(fs, bundle);
  if (!layout) return fail(NOT_SIGNED);
  const content = posix.join(bundle, layout.content);
  const signature = await readPlist(fs, posix.join(content, STAND_IN_SIGNATURE));
  const info = await readPlist(fs, posix.join(content, layout.infoPlist));
  if (!signature || !info) return fail(NOT_SIGNED);
  const executableName = text(info, 'CFBundleExecutable');
  const executable = bundle.endsWith('.framework')
    ? posix.join(content, executableName)
    : posix.join(content, 'MacOS', executableName);
  const exeBytes = await fs.readFile(executable).catch(() => undefined);
  if (!exeBytes || hex(exeBytes) !== text(signature, 'ExecutableHash'))
    return fail('invalid signature (code or signature have been modified)');
  if (hex(await fs.readFile(posix.join(content, layout.infoPlist))) !== text(signature, 'InfoPlistHash'))
    return fail('invalid Info.plist (plist or signature have been modified)');
  const resourcesBytes = await fs.readFile(posix.join(content, CODE_RESOURCES)).catch(() => undefined);
  if (!resourcesBytes) return fail('code has no resources but signature indicates they must be present');
  if (hex(resourcesBytes) !== text(signature, 'CodeResourcesHash'))
    return fail('invalid resource directory (directory or signature have been modified)');
  const resources = parsePlist(resourcesBytes.toString('utf8'), CODE_RESOURCES);
  const sealed = isDict(resources) && isDict(resources.files2) ? resources.files2 : {};

  const actual = new Map<string, Actual>();
  await walk(fs, content, '', actual);
  for (const bound of layout.bound) actual.delete(bound);
  actual.delete(bundle.endsWith('.framework') ? executableName : `MacOS/${executableName}`);

  // --deep validates nested code first; its failure is reported as a subcomponent's.
  for (const [rel, entry] of actual) {
    if (entry.kind !== 'nested') continue;
    const nestedPath = posix.join(content, rel);
    if (options.deep) {
      const inner = await verifyCode(fs, nestedPath, options);
      if (!inner.valid) return { ...inner, subcomponent: inner.subcomponent ?? nestedPath };
    }
  }

  const details: string[] = [];
  const where = (rel: string) => posix.join(content, rel);
  for (const [rel, seal] of Object.entries(sealed)) {
    if (!isDict(seal)) continue;
    const found = actual.get(rel);
    if (!found) {
      details.push(`file missing: ${where(rel)}`);
      continue;
    }
    let same: boolean;
    if (Buffer.isBuffer(seal.hash2)) same = found.kind === 'file' && found.sha256.equals(seal.hash2);
    else if (typeof seal.symlink === 'string')
      same = found.kind === 'symlink' && found.target === seal.symlink;
    else if (Buffer.isBuffer(seal.cdhash)) {
      const nestedSignature =
        found.kind === 'nested' ? await nestedCdHash(fs, posix.join(content, rel)) : undefined;
      same = nestedSignature !== undefined && nestedSignature === seal.cdhash.toString('hex');
    } else same = false;
    if (!same) details.push(`file modified: ${where(rel)}`);
  }
  for (const rel of actual.keys()) if (!(rel in sealed)) details.push(`file added: ${where(rel)}`);
  return details.length > 0 ? fail(SEAL_BROKEN, details) : { valid: true };
}

async function nestedCdHash(fs: GuestFs, bundle: string): Promise<string | undefined> {
  const layout = await layoutOf(fs, bundle);
  if (!layout) return undefined;
  const signature = await readPlist(fs, posix.join(bundle, layout.content, STAND_IN_SIGNATURE));
  return signature ? text(signature, 'CDHash') || undefined : undefined;
}
