// The file names in a flat package's table of contents, read from its xar header and zlib TOC only
// (a build of hundreds of MB is never read whole): enough to tell, before any VM exists, whether a
// .pkg is one that `installer` can read, not merely a file that starts with "xar!".
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { inflate } from 'node:zlib';

const inflateAsync = promisify(inflate);

/** xar's fixed header: magic, header size, version, TOC lengths (compressed, not), checksum id. */
const HEADER_BYTES = 28;
/** A flat package's TOC is kilobytes; one this large is not a build, refuse it rather than read it. */
const MAX_TOC_BYTES = 16 * 1024 * 1024;

export class NotAPackageError extends Error {
  override name = 'NotAPackageError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Not a readable flat package: ${path}: ${reason}`);
  }
}

/** Every `<name>` in the package's TOC (files and folders, nested ones too), in TOC order. */
export async function packageTocNames(path: string): Promise<string[]> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const header = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await file.read(header, 0, HEADER_BYTES, 0);
    if (bytesRead < HEADER_BYTES) {
      throw new NotAPackageError(path, `its xar header is cut: ${bytesRead} of ${HEADER_BYTES} bytes`);
    }
    const headerSize = header.readUInt16BE(4);
    const tocCompressed = header.readBigUInt64BE(8);
    const tocPlain = header.readBigUInt64BE(16);
    if (headerSize < HEADER_BYTES) {
      throw new NotAPackageError(path, `its xar header size is ${headerSize}, below ${HEADER_BYTES}`);
    }
    if (tocCompressed > BigInt(MAX_TOC_BYTES) || tocPlain > BigInt(MAX_TOC_BYTES)) {
      throw new NotAPackageError(
        path,
        `its table of contents claims ${tocPlain} bytes, over ${MAX_TOC_BYTES}`,
      );
    }
    const tocLength = Number(tocCompressed);
    if (headerSize + tocLength > size) {
      throw new NotAPackageError(
        path,
        `the file is cut: its table of contents ends at byte ${headerSize + tocLength}, the file has ${size}`,
      );
    }
    const compressed = Buffer.alloc(tocLength);
    await file.read(compressed, 0, tocLength, headerSize);
    // The inflated TOC is bounded by the size the header declares (itself at most MAX_TOC_BYTES):
    // a header that lies cannot make a few compressed bytes inflate to gigabytes.
    const toc = await inflateAsync(compressed, { maxOutputLength: Math.max(1, Number(tocPlain)) }).catch(
      (error: NodeJS.ErrnoException) => {
        throw new NotAPackageError(
          path,
          error.code === 'ERR_BUFFER_TOO_LARGE'
            ? `its table of contents inflates past the ${tocPlain} bytes its header declares`
            : `its table of contents does not inflate (${error.message})`,
        );
      },
    );
    const xml = toc.toString('utf8');
    if (!/<toc>/.test(xml)) {
      throw new NotAPackageError(
        path,
        `its table of contents has no <toc> element: ${JSON.stringify(xml.slice(0, 60))}`,
      );
    }
    return [...xml.matchAll(/<name>([^<]*)<\/name>/g)].map((match) => unescapeXml(match[1] ?? ''));
  } finally {
    await file.close();
  }
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
