// `npm run build` (and `npm pack`'s prepack): the package's compiled JavaScript in dist/. One esbuild
// build with code splitting for every entry, so that the CLI, the public entries a user's scenario
// imports and the sim's executables share one copy of each module (the error classes above all:
// the runner tells a failed check from a harness error with instanceof). Then the .d.ts files of
// the public entries (tsc).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { cliUsage } from '../harness/cli-usage.ts';
import { packageRoot } from '../harness/package-root.ts';
import { emitDeclarations } from './declarations.ts';

const root = packageRoot();
const dist = join(root, 'dist');

/**
 * dist/<name>.js. The sim's entries sit one folder down (dist/sim/), as deep as the chunks, because
 * sim/ finds its own files (sim/bin/tartd.mjs, the SDK stub headers) relative to the module.
 */
export const entries: Record<string, string> = {
  cli: 'harness/cli.ts',
  index: 'harness/index.ts',
  run: 'harness/run.ts',
  'sim/tart': 'sim/tart/cli.ts',
  'sim/tartd': 'sim/tart/daemon.ts',
  'sim/host': 'sim/host/host-shell.ts',
};

export async function buildPackage(): Promise<void> {
  // The sample builds ship with the package (the sim's default --from/--to): made fresh, as `make setup` does.
  // Its report goes to stderr: `npm pack --json` prints the pack's JSON on stdout.
  execFileSync(process.execPath, ['--import', 'tsx', 'sim/builds/make-sample-builds.ts', 'sim/builds/out'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  rmSync(dist, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(root, file)])),
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies resolve from node_modules at run time, as any package's do.
    packages: 'external',
    outdir: dist,
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
    // --help is a constant of the code (backends, defaults, usage lines): rendered here, it spares
    // the installed CLI loading the modules it comes from (harness/cli.ts).
    define: { SXL_RENDERED_USAGE: JSON.stringify(cliUsage()) },
  });
  // Declarations of the public entries and what they reach (tsconfig.build.json).
  emitDeclarations(join(dist, 'types'));
}

await buildPackage();
