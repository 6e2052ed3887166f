// The xar container that macOS flat packages use: a 28-byte big-endian header, a zlib-compressed XML
// table of contents (TOC), then the heap. The heap starts with the TOC's own checksum; each file's
// data follows, described in the TOC by offset/length/size, encoding and two checksums.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import { childElements, escapeXml, firstChild, parseXml, textOf, type XmlElement } from './xml-lite.ts';

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

export const xarMagic = 0x78617221; // 'xar!'
export const xarHeaderSize = 28;
export const xarVersion = 1;
// Checksum algorithm ids in the header; 3 means "named in the header after the fixed fields".
const checksumIds: Record<number, string> = { 0: 'none', 1: 'sha1', 2: 'md5' };
const checksumIdOf = { sha1: 1, md5: 2 } as const;
const supportedHashes = new Set(['sha1', 'md5', 'sha256', 'sha512']);
const hashLengths: Record<string, number> = { sha1: 20, md5: 16, sha256: 32, sha512: 64 };
// Limits for hostile input: a flat package's TOC is kilobytes, our payloads are megabytes at most.
const maxTocBytes = 16 * 1024 * 1024;
const maxFileBytes = 512 * 1024 * 1024;

export type XarEncoding = 'zlib' | 'none';

export interface XarFileInput {
  /** Slash-separated path inside the archive; parent directories are implied. */
  path: string;
  data: Buffer;
  /** `zlib` is xar's `application/x-gzip` (a zlib stream despite the name); `none` is octet-stream. */
  encoding: XarEncoding;
  mode?: number;
}

export interface XarEntry {
  path: string;
  type: 'file' | 'directory' | 'other';
  mode: number;
  data: Buffer;
}

export type XarFormatErrorReason =
  | 'bad magic'
  | 'truncated'
  | 'bad header'
  | 'bad toc'
  | 'bad checksum'
  | 'bad data'
  | 'unsupported';

export class XarFormatError extends Error {
  readonly reason: XarFormatErrorReason;
  constructor(reason: XarFormatErrorReason, evidence: string, options?: { cause?: unknown }) {
    super(`${reason[0]?.toUpperCase()}${reason.slice(1)} in xar archive: ${evidence}`, options);
    this.name = 'XarFormatError';
    this.reason = reason;
  }
}

function hash(algorithm: string, data: Buffer): Buffer {
  return createHash(algorithm).update(data).digest();
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface DirNode {
  dirs: Map<string, DirNode>;
  files: { name: string; input: XarFileInput }[];
}

export interface EncodeXarOptions {
  /** Timestamp for every entry and the TOC creation time (fixed for reproducible output). */
  mtime: Date;
}

export async function encodeXar(files: readonly XarFileInput[], options: EncodeXarOptions): Promise<Buffer> {
  const root: DirNode = { dirs: new Map(), files: [] };
  for (const input of files) {
    const segments = input.path.split('/');
    const name = segments.pop() ?? '';
    let dir = root;
    for (const segment of segments) {
      let next = dir.dirs.get(segment);
      if (!next) {
        next = { dirs: new Map(), files: [] };
        dir.dirs.set(segment, next);
      }
      dir = next;
    }
    dir.files.push({ name, input });
  }

  const algorithm = 'sha1';
  const heap: Buffer[] = [Buffer.alloc(hashLengths[algorithm] ?? 20)];
  let heapSize = heap[0]?.length ?? 0;
  let nextId = 1;
  const time = isoSeconds(options.mtime);
  const stat = (mode: number, indent: string) =>
    `${indent}<ctime>${time}</ctime>\n${indent}<mtime>${time}</mtime>\n${indent}<atime>${time}</atime>\n` +
    `${indent}<group>wheel</group>\n${indent}<gid>0</gid>\n${indent}<user>root</user>\n${indent}<uid>0</uid>\n` +
    `${indent}<mode>${(mode & 0o7777).toString(8).padStart(4, '0')}</mode>\n`;

  const emit = async (dir: DirNode, indent: string): Promise<string> => {
    let xml = '';
    for (const { name, input } of dir.files) {
      const archived = input.encoding === 'zlib' ? await deflateAsync(input.data) : input.data;
      const offset = heapSize;
      heap.push(archived);
      heapSize += archived.length;
      const style = input.encoding === 'zlib' ? 'application/x-gzip' : 'application/octet-stream';
      const i2 = `${indent} `;
      const i3 = `${indent}  `;
      xml +=
        `${indent}<file id="${nextId++}">\n` +
        `${i2}<data>\n` +
        `${i3}<length>${archived.length}</length>\n` +
        `${i3}<offset>${offset}</offset>\n` +
        `${i3}<size>${input.data.length}</size>\n` +
        `${i3}<encoding style="${style}"/>\n` +
        `${i3}<extracted-checksum style="${algorithm}">${hash(algorithm, input.data).toString('hex')}</extracted-checksum>\n` +
        `${i3}<archived-checksum style="${algorithm}">${hash(algorithm, archived).toString('hex')}</archived-checksum>\n` +
        `${i2}</data>\n` +
        stat(input.mode ?? 0o644, i2) +
        `${i2}<type>file</type>\n` +
        `${i2}<name>${escapeXml(name)}</name>\n` +
        `${indent}</file>\n`;
    }
    for (const [name, sub] of dir.dirs) {
      const head = `${indent}<file id="${nextId++}">\n`;
      const inner = await emit(sub, `${indent} `);
      xml +=
        head +
        stat(0o755, `${indent} `) +
        `${indent} <type>directory</type>\n` +
        `${indent} <name>${escapeXml(name)}</name>\n` +
        inner +
        `${indent}</file>\n`;
    }
    return xml;
  };

  const body = await emit(root, '  ');
  const toc =
    '<?xml version="1.0" encoding="UTF-8"?>\n<xar>\n <toc>\n' +
    `  <checksum style="${algorithm}">\n   <offset>0</offset>\n   <size>${hashLengths[algorithm]}</size>\n  </checksum>\n` +
    `  <creation-time>${time.replace(/Z$/, '')}</creation-time>\n` +
    body +
    ' </toc>\n</xar>\n';
  const tocPlain = Buffer.from(toc, 'utf8');
  const tocCompressed = await deflateAsync(tocPlain);
  heap[0] = hash(algorithm, tocCompressed);

  const header = Buffer.alloc(xarHeaderSize);
  header.writeUInt32BE(xarMagic, 0);
  header.writeUInt16BE(xarHeaderSize, 4);
  header.writeUInt16BE(xarVersion, 6);
  header.writeBigUInt64BE(BigInt(tocCompressed.length), 8);
  header.writeBigUInt64BE(BigInt(tocPlain.length), 16);
  header.writeUInt32BE(checksumIdOf[algorithm], 24);
  return Buffer.concat([header, tocCompressed, ...heap]);
}

function intField(parent: XmlElement, name: string, where: string): number {
  const element = firstChild(parent, name);
  const text = element ? textOf(element).trim() : '';
  if (!/^\d{1,15}$/.test(text)) {
    throw new XarFormatError(
      'bad toc',
      `${where}: <${name}> is ${element ? JSON.stringify(text) : 'missing'}`,
    );
  }
  return Number(text);
}

function hashStyle(element: XmlElement | undefined, where: string): string | undefined {
  if (!element) return undefined;
  const style = (element.attrs.style ?? '').toLowerCase();
  if (!supportedHashes.has(style)) {
    throw new XarFormatError('unsupported', `${where}: checksum style ${JSON.stringify(style)}`);
  }
  return style;
}

export async function decodeXar(data: Buffer): Promise<XarEntry[]> {
  if (data.length < 4 || data.readUInt32BE(0) !== xarMagic) {
    throw new XarFormatError(
      'bad magic',
      `expected 78617221 ("xar!"), got ${data.subarray(0, 4).toString('hex')}`,
    );
  }
  if (data.length < xarHeaderSize) {
    throw new XarFormatError('truncated', `header needs ${xarHeaderSize} bytes, file has ${data.length}`);
  }
  const headerSize = data.readUInt16BE(4);
  const version = data.readUInt16BE(6);
  const tocCompressedLength = data.readBigUInt64BE(8);
  const tocLength = data.readBigUInt64BE(16);
  const checksumId = data.readUInt32BE(24);
  if (headerSize < xarHeaderSize || version !== xarVersion) {
    throw new XarFormatError('bad header', `header size ${headerSize}, version ${version}`);
  }
  if (headerSize > data.length) {
    throw new XarFormatError('truncated', `header size ${headerSize} exceeds file size ${data.length}`);
  }
  let algorithm = checksumIds[checksumId];
  if (checksumId === 3) {
    const named = data.subarray(xarHeaderSize, headerSize);
    const end = named.indexOf(0);
    algorithm = named.toString('latin1', 0, end < 0 ? named.length : end).toLowerCase();
  }
  // An archive without a TOC checksum cannot be verified, so it is refused like a corrupt one.
  if (!algorithm || !supportedHashes.has(algorithm)) {
    throw new XarFormatError('unsupported', `TOC checksum algorithm ${algorithm ?? `id ${checksumId}`}`);
  }
  if (tocLength > BigInt(maxTocBytes) || tocCompressedLength > BigInt(maxTocBytes)) {
    throw new XarFormatError(
      'bad header',
      `TOC lengths ${tocCompressedLength}/${tocLength} exceed ${maxTocBytes}`,
    );
  }
  const heapStart = headerSize + Number(tocCompressedLength);
  if (heapStart > data.length) {
    throw new XarFormatError('truncated', `TOC ends at ${heapStart}, file has ${data.length} bytes`);
  }
  const tocCompressed = data.subarray(headerSize, heapStart);
  let tocPlain: Buffer;
  try {
    tocPlain = await inflateAsync(tocCompressed, { maxOutputLength: Math.max(1, Number(tocLength)) });
  } catch (cause) {
    throw new XarFormatError('bad toc', `cannot inflate ${tocCompressed.length} bytes: ${String(cause)}`, {
      cause,
    });
  }
  if (tocPlain.length !== Number(tocLength)) {
    throw new XarFormatError('bad toc', `TOC inflates to ${tocPlain.length} bytes, header says ${tocLength}`);
  }
  let xar: XmlElement;
  try {
    xar = parseXml(tocPlain.toString('utf8'));
  } catch (cause) {
    throw new XarFormatError('bad toc', String(cause), { cause });
  }
  const toc = xar.name === 'xar' ? firstChild(xar, 'toc') : undefined;
  if (!toc) throw new XarFormatError('bad toc', `root is <${xar.name}>, expected <xar><toc>`);

  const heapSlice = (offset: number, length: number, what: string) => {
    const start = heapStart + offset;
    if (start + length > data.length) {
      throw new XarFormatError(
        'truncated',
        `${what} ends at ${start + length}, file has ${data.length} bytes`,
      );
    }
    return data.subarray(start, start + length);
  };

  const tocChecksum = firstChild(toc, 'checksum');
  if (!tocChecksum) throw new XarFormatError('bad toc', 'no <checksum> for the TOC');
  const tocStyle = hashStyle(tocChecksum, 'TOC checksum');
  if (tocStyle !== algorithm) {
    throw new XarFormatError('bad toc', `TOC checksum style ${tocStyle} differs from header's ${algorithm}`);
  }
  const stored = heapSlice(
    intField(tocChecksum, 'offset', 'TOC checksum'),
    intField(tocChecksum, 'size', 'TOC checksum'),
    'TOC checksum',
  );
  const actual = hash(algorithm, tocCompressed);
  if (!stored.equals(actual)) {
    throw new XarFormatError(
      'bad checksum',
      `TOC ${algorithm} stored ${stored.toString('hex')}, computed ${actual.toString('hex')}`,
    );
  }

  const entries: XarEntry[] = [];
  const walk = async (parent: XmlElement, prefix: string, depth: number) => {
    if (depth > 64) throw new XarFormatError('bad toc', `directories nested deeper than 64 under ${prefix}`);
    for (const file of childElements(parent, 'file')) {
      const nameElement = firstChild(file, 'name');
      const name = nameElement ? textOf(nameElement) : '';
      if (name === '' || name === '.' || name === '..' || name.includes('/')) {
        throw new XarFormatError(
          'bad toc',
          `file id ${file.attrs.id ?? '?'} has name ${JSON.stringify(name)}`,
        );
      }
      const path = prefix + name;
      const typeElement = firstChild(file, 'type');
      const typeText = typeElement ? textOf(typeElement).trim() : 'file';
      const type = typeText === 'file' || typeText === 'directory' ? typeText : 'other';
      const modeElement = firstChild(file, 'mode');
      const modeText = modeElement ? textOf(modeElement).trim() : '';
      const mode = /^[0-7]{1,6}$/.test(modeText)
        ? Number.parseInt(modeText, 8) & 0o7777
        : type === 'directory'
          ? 0o755
          : 0o644;
      let content: Buffer = Buffer.alloc(0);
      const dataElement = firstChild(file, 'data');
      if (dataElement) content = await readData(dataElement, path, heapSlice);
      entries.push({ path, type, mode, data: content });
      await walk(file, `${path}/`, depth + 1);
    }
  };
  await walk(toc, '', 0);
  return entries;
}

async function readData(
  dataElement: XmlElement,
  path: string,
  heapSlice: (offset: number, length: number, what: string) => Buffer,
): Promise<Buffer> {
  const length = intField(dataElement, 'length', path);
  const offset = intField(dataElement, 'offset', path);
  const size = intField(dataElement, 'size', path);
  if (size > maxFileBytes) throw new XarFormatError('unsupported', `${path} declares ${size} bytes`);
  const archived = heapSlice(offset, length, path);
  const checks: [string, Buffer][] = [];
  for (const kind of ['archived-checksum', 'extracted-checksum'] as const) {
    const element = firstChild(dataElement, kind);
    const style = hashStyle(element, `${path} ${kind}`);
    if (!element || !style) throw new XarFormatError('bad toc', `${path} has no <${kind}>`);
    checks.push([style, Buffer.from(textOf(element).trim(), 'hex')]);
  }
  const [[archivedStyle, archivedSum], [extractedStyle, extractedSum]] = checks as [
    [string, Buffer],
    [string, Buffer],
  ];
  const archivedActual = hash(archivedStyle, archived);
  if (!archivedActual.equals(archivedSum)) {
    throw new XarFormatError(
      'bad checksum',
      `${path} archived ${archivedStyle} stored ${archivedSum.toString('hex')}, computed ${archivedActual.toString('hex')}`,
    );
  }
  const style = firstChild(dataElement, 'encoding')?.attrs.style ?? 'application/octet-stream';
  let content: Buffer;
  if (style === 'application/octet-stream') {
    content = archived;
  } else if (style === 'application/x-gzip') {
    try {
      content = await inflateAsync(archived, { maxOutputLength: Math.max(1, size) });
    } catch (cause) {
      throw new XarFormatError('bad data', `${path}: cannot inflate: ${String(cause)}`, { cause });
    }
  } else {
    throw new XarFormatError('unsupported', `${path} has encoding ${style}`);
  }
  if (content.length !== size) {
    throw new XarFormatError('bad data', `${path} is ${content.length} bytes, TOC says ${size}`);
  }
  const extractedActual = hash(extractedStyle, content);
  if (!extractedActual.equals(extractedSum)) {
    throw new XarFormatError(
      'bad checksum',
      `${path} extracted ${extractedStyle} stored ${extractedSum.toString('hex')}, computed ${extractedActual.toString('hex')}`,
    );
  }
  return content;
}
