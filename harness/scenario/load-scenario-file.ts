// A user's scenario file, by path. `.js`/`.mjs` are imported as they are; `.ts`/`.mts` are bundled
// by esbuild (their own relative imports included) into a cached `.mjs` whose `sysext-lab` imports
// point at the very modules this CLI runs: one copy of the error classes, so that the runner's
// instanceof tells a failed check from a harness error, whichever sysext-lab the file would resolve.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.ts';
import { packageRoot, runsFromSource } from '../package-root.ts';
import { isDefinedScenario, type Scenario } from './define-scenario.ts';

const TYPESCRIPT = new Set(['.ts', '.mts']);
const JAVASCRIPT = new Set(['.js', '.mjs']);
/** The file extensions a scenario file may have. */
export const scenarioFileExtensions: readonly string[] = [...TYPESCRIPT, ...JAVASCRIPT];

/** The package's public entries, as the running harness has them (source in a checkout, dist/ installed). */
function ownEntry(specifier: string): string | undefined {
  const entry = { 'sysext-lab': 'index', 'sysext-lab/run': 'run' }[specifier];
  if (entry === undefined) return undefined;
  const file = runsFromSource
    ? join(packageRoot(), 'harness', `${entry}.ts`)
    : join(packageRoot(), 'dist', `${entry}.js`);
  return pathToFileURL(file).href;
}

/**
 * Where compiled scenarios go: node_modules/.cache/sysext-lab of the scenario's project, so that its
 * other package imports resolve from that project's node_modules; the system temp folder otherwise.
 */
function cacheDir(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'sysext-lab');
    if (dirname(dir) === dir) return join(tmpdir(), 'sysext-lab-scenarios');
  }
}

async function compileTypeScript(file: string): Promise<string> {
  const { build } = await import('esbuild');
  let text: string;
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      // The bundle runs from the cache: files the scenario finds beside itself stay where they are.
      define: {
        'import.meta.url': JSON.stringify(pathToFileURL(file).href),
        'import.meta.filename': JSON.stringify(file),
        'import.meta.dirname': JSON.stringify(dirname(file)),
      },
      plugins: [
        {
          name: 'sysext-lab-externals',
          setup(b) {
            // Packages (and node: built-ins) stay imports; sysext-lab's own become the running copy.
            b.onResolve({ filter: /^[^./]/ }, (args) =>
              args.kind === 'entry-point'
                ? undefined
                : { path: ownEntry(args.path) ?? args.path, external: true },
            );
          },
        },
      ],
    });
    text = result.outputFiles[0]?.text ?? '';
  } catch (error) {
    const errors = (
      error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }
    ).errors;
    const first = errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}: ` : '';
    throw new ConfigError(
      'scenario',
      `Cannot compile scenario ${file}: ${where}${first?.text ?? (error as Error).message}`,
    );
  }
  const dir = cacheDir(file);
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(file).update('\0').update(text).digest('hex').slice(0, 16);
  const out = join(dir, `${basename(file, extname(file))}-${hash}.mjs`);
  if (!existsSync(out)) {
    // Several runs may compile the same file at once: each writes its own file, the rename is atomic.
    const temporary = `${out}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, out);
  }
  return out;
}

/** Loads the scenario a file default-exports; every mistake is a ConfigError naming the file. */
export async function loadScenarioFile(path: string, cwd: string = process.cwd()): Promise<Scenario> {
  const file = resolve(cwd, path);
  const extension = extname(file);
  if (!scenarioFileExtensions.includes(extension)) {
    throw new ConfigError(
      'scenario',
      `Cannot load scenario ${path}: expected a ${scenarioFileExtensions.join(', ')} file, got "${extension || 'no extension'}"`,
    );
  }
  if (!existsSync(file) || !statSync(file).isFile())
    throw new ConfigError('scenario', `Cannot load scenario ${path}: no such file (${file})`);
  const module_ = TYPESCRIPT.has(extension) ? await compileTypeScript(file) : file;
  let exported: unknown;
  try {
    exported = ((await import(pathToFileURL(module_).href)) as { default?: unknown }).default;
  } catch (error) {
    // defineScenario's own refusals (a misspelt signature) and anything the file throws on import.
    throw new ConfigError(
      'scenario',
      `Cannot load scenario ${path}: ${(error as Error).message ?? String(error)}`,
    );
  }
  if (isDefinedScenario(exported)) return exported;
  const why =
    typeof exported === 'object' && exported !== null && 'signature' in exported
      ? 'its default export was made by another copy of sysext-lab (install sysext-lab in the project and run its own `npx sysext-lab`)'
      : 'it has no default export made by defineScenario (`export default defineScenario({...})`)';
  throw new ConfigError('scenario', `Cannot load scenario ${path}: ${why}`);
}
