// Writes a whole file or nothing: generated builds are read by other processes (the simulated
// guest, a running harness), which must never see half a package.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';

/**
 * Writes `bytes` to `path` through a temporary file and a rename. Returns false, without touching
 * the file, when it already holds exactly these bytes.
 */
export async function writeFileAtomic(path: string, bytes: Buffer): Promise<boolean> {
  const existing = await readFile(path).catch(() => undefined);
  if (existing?.equals(bytes)) return false;
  const temp = `${path}.${process.pid}.partial`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
  return true;
}
