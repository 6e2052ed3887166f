import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file below `dir`, depth first, in name order: a stable order for bundles and reports. */
export function listFilesSorted(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFilesSorted(full));
    else out.push(full);
  }
  return out;
}
