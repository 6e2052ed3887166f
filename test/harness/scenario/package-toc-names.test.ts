// The TOC names of a flat package, read from its xar header and zlib TOC: a header that lies about
// the TOC's size is refused before the TOC is inflated past what it declares.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import test from 'ava';
import { NotAPackageError, packageTocNames } from '../../../harness/scenario/package-toc-names.ts';

const TOC = '<?xml version="1.0"?><xar><toc><file><name>PackageInfo</name></file></toc></xar>';

/** A xar header and a zlib TOC; `declaredPlain` is what the header says the TOC inflates to. */
function writeXar(name: string, toc: string, declaredPlain: number): string {
  const compressed = deflateSync(Buffer.from(toc));
  const header = Buffer.alloc(28);
  header.write('xar!', 0, 'latin1');
  header.writeUInt16BE(28, 4);
  header.writeUInt16BE(1, 6);
  header.writeBigUInt64BE(BigInt(compressed.length), 8);
  header.writeBigUInt64BE(BigInt(declaredPlain), 16);
  const path = join(mkdtempSync(join(tmpdir(), 'sxl-toc-')), name);
  writeFileSync(path, Buffer.concat([header, compressed]));
  return path;
}

test('a TOC of the size its header declares gives its names', async (t) => {
  t.deepEqual(await packageTocNames(writeXar('ok.pkg', TOC, Buffer.byteLength(TOC))), ['PackageInfo']);
});

test('a TOC that inflates past the size its header declares is not a package', async (t) => {
  // Padding that compresses to almost nothing: the shape of a zip bomb, in small.
  const toc = TOC + ' '.repeat(1024 * 1024);
  const error = await t.throwsAsync(packageTocNames(writeXar('bomb.pkg', toc, Buffer.byteLength(TOC))), {
    instanceOf: NotAPackageError,
  });
  t.is(
    error.reason,
    `its table of contents inflates past the ${Buffer.byteLength(TOC)} bytes its header declares`,
  );
});
