import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every file below `dir`, depth first, in name order: a stable order for bundles and reports. A file
 * removed while the folder is read (a download's `.partial` after Ctrl-C) is left out, not a crash.
 */
export function listFilesSorted(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const info = statSync(full, { throwIfNoEntry: false });
    if (!info) continue;
    if (info.isDirectory()) out.push(...listFilesSorted(full));
    else out.push(full);
  }
  return out;
}
