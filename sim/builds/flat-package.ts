// macOS flat packages (.pkg) as pkgbuild and productbuild write them: a xar archive holding
// PackageInfo (XML), Payload (gzip-compressed odc cpio of the install tree) and, for a product
// archive, a Distribution file whose <title> is what `installer` prints as the package name.
// No Bom is written: `installer` on the sim never reads one, and the Payload alone carries the tree.
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { writeFileAtomic } from './atomic-write.ts';
import { type CpioEntry, CpioFormatError, decodeCpioOdc, encodeCpioOdc } from './cpio-odc.ts';
import { defaultMtime } from './reproducible-time.ts';
import { decodeXar, encodeXar, type XarEntry, XarFormatError } from './xar-archive.ts';
import { escapeXml, firstChild, parseXml, textOf, type XmlElement, XmlSyntaxError } from './xml-lite.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface PackageFile {
  /** Relative to installLocation, slash-separated, e.g. `SXL Sample.app/Contents/Info.plist`. */
  path: string;
  /** The file's bytes; for a symlink, its target as stored (e.g. `Versions/Current/SXLShared`). */
  content: Buffer | string;
  /** Permission bits. @default 0o644 (0o755 for a symlink) */
  mode?: number;
  /** @default 'file' */
  type?: 'file' | 'symlink';
}

export interface FlatPackageSpec {
  identifier: string;
  version: string;
  title: string;
  installLocation: string;
  files: PackageFile[];
}

export interface FlatPackageContents {
  identifier: string;
  version: string;
  title: string;
  installLocation: string;
  /** Regular files and symlinks (content: the target), in payload order; directories are implied. */
  files: { path: string; content: Buffer; mode: number; type: 'file' | 'symlink' }[];
}

export interface WriteFlatPackageOptions {
  /**
   * `product` is what productbuild writes (Distribution + `<name>.pkg/` component); `component` is
   * bare pkgbuild output (PackageInfo and Payload at the root, no title of its own).
   * @default 'product'
   */
  layout?: 'product' | 'component';
  /** Timestamp of every entry, fixed so that the same spec gives the same bytes. @default defaultMtime */
  mtime?: Date;
}

export const flatPackageDefaults: Required<WriteFlatPackageOptions> = {
  layout: 'product',
  mtime: defaultMtime,
};

export type FlatPackageErrorReason =
  | 'unreadable'
  | 'bad magic'
  | 'truncated'
  | 'bad header'
  | 'bad toc'
  | 'bad checksum'
  | 'bad data'
  | 'unsupported'
  | 'missing PackageInfo'
  | 'missing Payload'
  | 'bad PackageInfo'
  | 'bad Distribution'
  | 'bad Payload'
  | 'unsafe path'
  | 'bad spec'
  | 'bad option';

export class FlatPackageError extends Error {
  /** The package file (as given to the reader or writer). */
  readonly file: string;
  readonly reason: FlatPackageErrorReason;
  constructor(file: string, reason: FlatPackageErrorReason, evidence: string, options?: { cause?: unknown }) {
    super(
      `${reason[0]?.toUpperCase()}${reason.slice(1)}: ${file} is not a usable flat package (${evidence})`,
      options,
    );
    this.name = 'FlatPackageError';
    this.file = file;
    this.reason = reason;
  }
}

/** Checks a relative path and returns its segments; `undefined` when it is empty, absolute or escapes. */
export function safeSegments(path: string): string[] | undefined {
  const segments = path.split('/');
  const ok = segments.every((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('\0'));
  return ok ? segments : undefined;
}

function componentDirName(identifier: string): string {
  // Reconstructed: productbuild names the embedded component after the component package's file name;
  // with no such file here, the identifier stands in for it.
  return identifier.endsWith('.pkg') ? identifier : `${identifier}.pkg`;
}

function buildPayloadEntries(file: string, spec: FlatPackageSpec, mtime: number): CpioEntry[] {
  const entries: CpioEntry[] = [
    { name: '.', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime, content: Buffer.alloc(0) },
  ];
  const dirs = new Set<string>();
  const files = new Set<string>();
  for (const f of spec.files) {
    const segments = safeSegments(f.path);
    if (!segments) throw new FlatPackageError(file, 'bad spec', `file path ${JSON.stringify(f.path)}`);
    if (files.has(f.path) || dirs.has(f.path)) {
      throw new FlatPackageError(
        file,
        'bad spec',
        `path ${JSON.stringify(f.path)} given twice or as a directory`,
      );
    }
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join('/');
      if (files.has(dir))
        throw new FlatPackageError(file, 'bad spec', `${JSON.stringify(dir)} is a file and a directory`);
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      entries.push({
        name: `./${dir}`,
        type: 'directory',
        mode: 0o755,
        uid: 0,
        gid: 0,
        mtime,
        content: Buffer.alloc(0),
      });
    }
    files.add(f.path);
    const content = typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content;
    const symlink = f.type === 'symlink';
    entries.push({
      name: `./${f.path}`,
      type: symlink ? 'symlink' : 'file',
      // pkgbuild keeps a symlink's own mode, lrwxr-xr-x on macOS.
      mode: (f.mode ?? (symlink ? 0o755 : 0o644)) & 0o7777,
      uid: 0,
      gid: 0,
      mtime,
      content,
    });
  }
  return entries;
}

function packageInfoXml(spec: FlatPackageSpec, entries: CpioEntry[]): string {
  const bytes = entries.reduce((sum, e) => sum + e.content.length, 0);
  // Reconstructed: installKBytes as the payload's byte total rounded up to KiB; numberOfFiles counts
  // every payload entry, directories and the root included, as the Bom would.
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<pkg-info overwrite-permissions="true" relocatable="false" identifier="${escapeXml(spec.identifier)}" ` +
    `postinstall-action="none" version="${escapeXml(spec.version)}" format-version="2" ` +
    `install-location="${escapeXml(spec.installLocation)}" auth="root">\n` +
    `    <payload numberOfFiles="${entries.length}" installKBytes="${Math.ceil(bytes / 1024)}"/>\n` +
    '</pkg-info>\n'
  );
}

function distributionXml(spec: FlatPackageSpec, componentName: string): string {
  const id = escapeXml(spec.identifier);
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<installer-gui-script minSpecVersion="2">\n' +
    `    <title>${escapeXml(spec.title)}</title>\n` +
    `    <pkg-ref id="${id}"/>\n` +
    '    <options customize="never" require-scripts="false" hostArchitectures="arm64,x86_64"/>\n' +
    '    <choices-outline>\n' +
    '        <line choice="default">\n' +
    `            <line choice="${id}"/>\n` +
    '        </line>\n' +
    '    </choices-outline>\n' +
    '    <choice id="default"/>\n' +
    `    <choice id="${id}" visible="false">\n` +
    `        <pkg-ref id="${id}"/>\n` +
    '    </choice>\n' +
    `    <pkg-ref id="${id}" version="${escapeXml(spec.version)}" onConclusion="none">` +
    `#${escapeXml(encodeURIComponent(componentName))}</pkg-ref>\n` +
    '</installer-gui-script>\n'
  );
}

/** The package as bytes; `writeFlatPackage` writes these. */
export async function encodeFlatPackage(
  spec: FlatPackageSpec,
  options: WriteFlatPackageOptions = {},
  file = spec.identifier,
): Promise<Buffer> {
  const { layout, mtime } = { ...flatPackageDefaults, ...options };
  if (layout !== 'product' && layout !== 'component') {
    throw new FlatPackageError(
      file,
      'bad option',
      `layout: expected 'product' or 'component', got ${JSON.stringify(layout)}`,
    );
  }
  if (!(mtime instanceof Date) || Number.isNaN(mtime.getTime()) || mtime.getTime() < 0) {
    throw new FlatPackageError(
      file,
      'bad option',
      `mtime: expected a valid Date after 1970, got ${String(mtime)}`,
    );
  }
  if (!spec.identifier || !spec.version || !spec.installLocation.startsWith('/')) {
    throw new FlatPackageError(
      file,
      'bad spec',
      `identifier ${JSON.stringify(spec.identifier)}, version ${JSON.stringify(spec.version)}, ` +
        `installLocation ${JSON.stringify(spec.installLocation)} (must be absolute)`,
    );
  }
  const seconds = Math.floor(mtime.getTime() / 1000);
  const entries = buildPayloadEntries(file, spec, seconds);
  const payload = await gzipAsync(encodeCpioOdc(entries));
  // gzip's OS byte depends on how zlib was built; pin it to Unix (3) so output is the same everywhere.
  payload[9] = 3;
  const packageInfo = Buffer.from(packageInfoXml(spec, entries), 'utf8');
  const prefix = layout === 'product' ? `${componentDirName(spec.identifier)}/` : '';
  const xarFiles = [
    { path: `${prefix}PackageInfo`, data: packageInfo, encoding: 'zlib' as const },
    { path: `${prefix}Payload`, data: payload, encoding: 'none' as const },
  ];
  if (layout === 'product') {
    const distribution = Buffer.from(distributionXml(spec, componentDirName(spec.identifier)), 'utf8');
    xarFiles.unshift({ path: 'Distribution', data: distribution, encoding: 'zlib' });
  }
  return encodeXar(xarFiles, { mtime });
}

export async function writeFlatPackage(
  outPath: string,
  spec: FlatPackageSpec,
  options: WriteFlatPackageOptions = {},
): Promise<void> {
  const bytes = await encodeFlatPackage(spec, options, outPath);
  await writeFileAtomic(outPath, bytes);
}

function parseXmlOf(file: string, reason: FlatPackageErrorReason, data: Buffer): XmlElement {
  try {
    return parseXml(data.toString('utf8'));
  } catch (cause) {
    if (!(cause instanceof XmlSyntaxError)) throw cause;
    throw new FlatPackageError(file, reason, cause.message, { cause });
  }
}

function pickComponent(file: string, entries: XarEntry[]): { prefix: string; title?: string } {
  const has = (path: string) => entries.some((e) => e.path === path && e.type === 'file');
  const distribution = entries.find((e) => e.path === 'Distribution' && e.type === 'file');
  let title: string | undefined;
  let referenced: string[] = [];
  if (distribution) {
    const gui = parseXmlOf(file, 'bad Distribution', distribution.data);
    const titleElement = gui.name === 'installer-gui-script' ? firstChild(gui, 'title') : undefined;
    if (!titleElement)
      throw new FlatPackageError(file, 'bad Distribution', `root <${gui.name}> without <title>`);
    title = textOf(titleElement).trim() || undefined;
    referenced = gui.children
      .filter((c): c is XmlElement => typeof c !== 'string' && c.name === 'pkg-ref')
      .map((ref) => textOf(ref).trim())
      .filter((href) => href.startsWith('#'))
      .map((href) => {
        try {
          return decodeURIComponent(href.slice(1));
        } catch {
          return href.slice(1);
        }
      });
  }
  if (has('PackageInfo')) return { prefix: '', title };
  const components = entries
    .filter((e) => e.type === 'directory' && !e.path.includes('/') && has(`${e.path}/PackageInfo`))
    .map((e) => e.path);
  if (components.length === 0) {
    const names = entries.map((e) => e.path).join(', ') || 'nothing';
    throw new FlatPackageError(file, 'missing PackageInfo', `archive holds ${names}`);
  }
  // The sim installs one component per package; refusing more keeps an install from being partial.
  if (components.length > 1) {
    throw new FlatPackageError(
      file,
      'unsupported',
      `${components.length} components: ${components.join(', ')}`,
    );
  }
  const [only] = components as [string];
  if (referenced.length > 0 && !referenced.includes(only)) {
    throw new FlatPackageError(
      file,
      'bad Distribution',
      `pkg-ref ${referenced.join(', ')} but component is ${only}`,
    );
  }
  return { prefix: `${only}/`, title };
}

/** Reads a package from bytes; `file` only names it in errors. */
export async function decodeFlatPackage(data: Buffer, file = '<buffer>'): Promise<FlatPackageContents> {
  let entries: XarEntry[];
  try {
    entries = await decodeXar(data);
  } catch (cause) {
    if (!(cause instanceof XarFormatError)) throw cause;
    throw new FlatPackageError(file, cause.reason, cause.message, { cause });
  }
  const { prefix, title } = pickComponent(file, entries);
  const packageInfo = entries.find((e) => e.path === `${prefix}PackageInfo`);
  const payload = entries.find((e) => e.path === `${prefix}Payload` && e.type === 'file');
  if (!packageInfo) throw new FlatPackageError(file, 'missing PackageInfo', `no ${prefix}PackageInfo`);
  if (!payload) throw new FlatPackageError(file, 'missing Payload', `no ${prefix}Payload`);

  const info = parseXmlOf(file, 'bad PackageInfo', packageInfo.data);
  const { identifier, version } = info.attrs;
  if (info.name !== 'pkg-info' || !identifier || !version) {
    throw new FlatPackageError(
      file,
      'bad PackageInfo',
      `<${info.name}> identifier=${JSON.stringify(identifier)} version=${JSON.stringify(version)}`,
    );
  }
  // Reconstructed: a component without install-location installs at the root of the target volume.
  const installLocation = info.attrs['install-location'] ?? '/';

  let cpio: Buffer;
  try {
    // Bounded so that a hostile Payload cannot inflate without limit.
    cpio = await gunzipAsync(payload.data, { maxOutputLength: 1024 * 1024 * 1024 });
  } catch (cause) {
    throw new FlatPackageError(
      file,
      'bad Payload',
      `cannot gunzip ${payload.data.length} bytes: ${String(cause)}`,
      {
        cause,
      },
    );
  }
  let cpioEntries: CpioEntry[];
  try {
    cpioEntries = decodeCpioOdc(cpio);
  } catch (cause) {
    if (!(cause instanceof CpioFormatError)) throw cause;
    throw new FlatPackageError(file, 'bad Payload', cause.message, { cause });
  }
  const files: FlatPackageContents['files'] = [];
  for (const entry of cpioEntries) {
    const relative = entry.name === '.' ? '' : entry.name.replace(/^\.\//, '');
    if (relative === '') continue;
    if (!safeSegments(relative)) {
      throw new FlatPackageError(file, 'unsafe path', `payload entry ${JSON.stringify(entry.name)}`);
    }
    if (entry.type === 'directory') continue;
    if (entry.type !== 'file' && entry.type !== 'symlink') {
      throw new FlatPackageError(
        file,
        'unsupported',
        `payload entry ${JSON.stringify(entry.name)} is a ${entry.type}`,
      );
    }
    files.push({ path: relative, content: Buffer.from(entry.content), mode: entry.mode, type: entry.type });
  }
  return { identifier, version, title: title ?? identifier, installLocation, files };
}

export async function readFlatPackage(path: string): Promise<FlatPackageContents> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new FlatPackageError(path, 'unreadable', code, { cause });
  }
  return decodeFlatPackage(data, path);
}
