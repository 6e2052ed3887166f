// The .d.ts files of the package's public entries (tsconfig.build.json), for dist/types/ and for
// the API reference. The sources import './x.ts'; the declarations say './x.js', which a user's
// TypeScript resolves to x.d.ts without any option.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../harness/package-root.ts';

export function emitDeclarations(outDir: string): void {
  const root = packageRoot();
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
    { cwd: root, stdio: ['ignore', 2, 2] },
  );
  for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/((?:from|import\()\s*'\.{1,2}\/[^']*)\.ts'/g, "$1.js'"));
  }
}
