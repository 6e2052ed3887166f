// A build as run.json records it before it is installed: its path, size and sha256.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildRecord } from '../scenario/events.ts';

/** sha256 and size of a build: a file is hashed as it is, an .app folder file by file in path order. */
export async function describeBuild(role: string, path: string): Promise<BuildRecord> {
  const info = await stat(path);
  const hash = createHash('sha256');
  let bytes = 0;
  const files = info.isDirectory() ? await listFiles(path) : [path];
  for (const file of files) {
    if (info.isDirectory()) hash.update(`${file.slice(path.length)}\0`);
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  }
  return { role, path, sha256: hash.digest('hex'), bytes };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
