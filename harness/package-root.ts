// Where sysext-lab's own files are (package.json, sim/, harness/guest-tools/, vm-images/): found by
// walking up from this module, because it runs both from its source (harness/) and from the
// compiled package (dist/ or dist/chunks/, whichever chunk esbuild put it in).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder holding sysext-lab's package.json: the checkout, or node_modules/sysext-lab. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sysext-lab'
    ) {
      root = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No sysext-lab package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** True when the harness runs from its TypeScript source (a checkout under tsx), not from dist/. */
export const runsFromSource: boolean = import.meta.url.endsWith('.ts');
