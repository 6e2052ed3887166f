// The sim's executables run an esbuild bundle of sim/, rebuilt whenever a source file is newer:
// loading the TypeScript through tsx costs about 0.4 s of CPU per process. Node packages stay
// external and resolve from the repository as usual. The npm package ships no sim/ sources: there
// the executables run the entries that `npm run build` compiled into dist/sim/, which never change.
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const simDir = join(repo, 'sim');
/** A checkout has sim/'s TypeScript; the installed package has only its compiled entries. */
const fromSource = existsSync(join(simDir, 'tart', 'cli.ts'));
const distDir = fromSource ? join(repo, '.sim', 'dist') : join(repo, 'dist', 'sim');
/** The bundle's entries: the tart CLI, the daemon that serves it to the thin `tart` client, the host shell. */
const entries = {
  tart: join(simDir, 'tart', 'cli.ts'),
  tartd: join(simDir, 'tart', 'daemon.ts'),
  // The simulated Mac's own commands (`sysext-lab doctor` on the sim backend).
  host: join(simDir, 'host', 'host-shell.ts'),
};

/** The newest modification time of sim/'s TypeScript sources (the generated builds excluded). */
export function newestSource(dir = simDir) {
  let newest = 0;
  if (!fromSource) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'out') newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function entryPath(name) {
  return join(distDir, fromSource ? `${name}.mjs` : `${name}.js`);
}

/** When the live bundle was built: the older of its entries, -1 when one is missing. */
export function bundleTime() {
  try {
    return Math.min(...Object.keys(entries).map((name) => statSync(entryPath(name)).mtimeMs));
  } catch {
    return -1;
  }
}

async function rebuild() {
  const { build } = await import('esbuild');
  mkdirSync(distDir, { recursive: true });
  // Several processes may rebuild at once: each builds into its own folder, and the renames of
  // the entry files make the new bundle live atomically. Subcommands are split into chunks so
  // that `tart list` does not load the guest and ssh2.
  const outdir = join(distDir, `build-${process.pid}-${Date.now()}`);
  await build({
    entryPoints: entries,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'error',
  });
  // The entries import their chunks relative to themselves, so the chunks move in first.
  cpSync(join(outdir, 'chunks'), join(distDir, 'chunks'), {
    recursive: true,
    force: false,
    errorOnExist: false,
  });
  for (const name of Object.keys(entries)) renameSync(join(outdir, `${name}.js`), entryPath(name));
  rmSync(outdir, { recursive: true, force: true });
}

/** Imports one entry of the bundle, rebuilding it first when sim/ changed. */
export async function loadEntry(name) {
  if (bundleTime() < newestSource()) await rebuild();
  // Paths that sim/ derives from its own location must not follow the bundle to .sim/dist.
  process.env.SXL_SIM_IMAGES ??= join(repo, 'vm-images');
  return import(pathToFileURL(entryPath(name)).href);
}
