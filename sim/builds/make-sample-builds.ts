// Generates the sample builds from the templates: one flat package per build (as productbuild
// would make it), and for 1.0 and 1.1 a ditto-style zip of the .app and the unpacked .app folder
// (`SXL Sample 1.1/SXL Sample.app`); then `SXL Filter 1.0.pkg` (content filter + DNS proxy). Output is reproducible: fixed timestamps, so the same sources
// give the same sha256; files and folders whose contents are unchanged are left alone.
//   npx tsx sim/builds/make-sample-builds.ts [OUTDIR]     (default sim/builds/out)
// One more package of a given version, carrying its own fault rates (a regression to bisect):
//   npx tsx sim/builds/make-sample-builds.ts --version 1.4 --sim-fault xpc-endpoint-lost-on-upgrade=0.3 OUTDIR
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isQuirkName } from '../quirks.ts';
import { writeAppFolder } from './app-folder.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { encodeFlatPackage } from './flat-package.ts';
import {
  filterSampleApp,
  filterSampleBuilds,
  renderSampleApp,
  renderSampleFamily,
  type SampleBuild,
  sampleApp,
  sampleBuilds,
} from './sample-app.ts';
import { encodeZip } from './zip-archive.ts';

export const defaultOutDir = join(dirname(fileURLToPath(import.meta.url)), 'out');

/** Builds that also ship as a zip of the .app and as the .app folder (the reship only as a package). */
export const zippedLabels: readonly string[] = ['1.0', '1.1'];

export interface SampleBuildFile {
  /** File name, e.g. `SXL Sample 1.1-reship.pkg`, or `SXL Sample 1.1/SXL Sample.app` for a folder. */
  name: string;
  path: string;
  /** CFBundleShortVersionString of the app and its extension. */
  version: string;
  /** CFBundleVersion of the app and its extension. */
  build: string;
  /** The build's label, which tells apart builds with equal versions. */
  label: string;
  format: 'pkg' | 'zip' | 'app';
  /** Of the file; of a folder, of its sorted listing (type, mode, path, content hash or link target). */
  sha256: string;
  /** False when the file already held exactly these bytes. */
  written: boolean;
}

export async function makeSampleBuilds(outDir: string = defaultOutDir): Promise<SampleBuildFile[]> {
  await mkdir(outDir, { recursive: true });
  const results: SampleBuildFile[] = [];
  for (const build of sampleBuilds) {
    const files = await renderSampleApp(build);
    // Entries carry the build's signing time, fixed per build, so rebuilding changes no byte.
    const mtime = new Date(build.signedTime);
    const outputs: { format: 'pkg' | 'zip'; bytes: Buffer }[] = [];
    const pkgName = `${sampleApp.name} ${build.label}.pkg`;
    outputs.push({
      format: 'pkg',
      bytes: await encodeFlatPackage(
        {
          identifier: sampleApp.packageId,
          version: build.shortVersion,
          title: sampleApp.name,
          installLocation: sampleApp.installLocation,
          files,
        },
        { mtime },
        pkgName,
      ),
    });
    if (zippedLabels.includes(build.label)) {
      // Paths relative to /Applications start with "SXL Sample.app/": the --keepParent layout.
      outputs.push({
        format: 'zip',
        bytes: await encodeZip(files, { mtime }, `${sampleApp.name} ${build.label}.zip`),
      });
    }
    if (zippedLabels.includes(build.label)) {
      const name = `${sampleApp.name} ${build.label}/${sampleApp.bundleDir}`;
      const path = join(outDir, name);
      const prefix = `${sampleApp.bundleDir}/`;
      const inside = files.map((f) => ({ ...f, path: f.path.slice(prefix.length) }));
      const { sha256, written } = await writeAppFolder(path, inside);
      results.push({
        name,
        path,
        version: build.shortVersion,
        build: build.bundleVersion,
        label: build.label,
        format: 'app',
        sha256,
        written,
      });
    }
    for (const { format, bytes } of outputs) {
      const name = `${sampleApp.name} ${build.label}.${format}`;
      const path = join(outDir, name);
      const written = await writeFileAtomic(path, bytes);
      results.push({
        name,
        path,
        version: build.shortVersion,
        build: build.bundleVersion,
        label: build.label,
        format,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        written,
      });
    }
  }
  // A second family after the first, so that adding it changed none of the first family's files.
  for (const build of filterSampleBuilds) {
    const name = `${filterSampleApp.name} ${build.label}.pkg`;
    const bytes = await encodeFlatPackage(
      {
        identifier: filterSampleApp.packageId,
        version: build.shortVersion,
        title: filterSampleApp.name,
        installLocation: filterSampleApp.installLocation,
        files: await renderSampleFamily(build, filterSampleApp),
      },
      { mtime: new Date(build.signedTime) },
      name,
    );
    const path = join(outDir, name);
    results.push({
      name,
      path,
      version: build.shortVersion,
      build: build.bundleVersion,
      label: build.label,
      format: 'pkg',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      written: await writeFileAtomic(path, bytes),
    });
  }
  return results;
}

/**
 * One flat package `SXL Sample <version>.pkg` whose app and extension have that version (CFBundleVersion
 * major*10000 + minor*100 + patch, so that it replaces 1.0's 100 as an upgrade) and carry `simFaults`.
 */
export async function makeVersionBuild(
  outDir: string,
  version: string,
  simFaults: Record<string, number> = {},
): Promise<SampleBuildFile> {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version);
  if (!match) throw new Error(`--version expects MAJOR.MINOR[.PATCH], got "${version}"`);
  for (const [name, p] of Object.entries(simFaults)) {
    if (!isQuirkName(name)) throw new Error(`Unknown fault "${name}" in --sim-fault`);
    if (!(p >= 0 && p <= 1))
      throw new Error(`--sim-fault ${name} needs a probability between 0 and 1, got ${p}`);
  }
  const [major, minor, patch] = [match[1], match[2], match[3] ?? '0'].map(Number) as [number, number, number];
  const build: SampleBuild = {
    label: version,
    shortVersion: version,
    bundleVersion: String(major * 10000 + minor * 100 + patch),
    signedTime: '2025-01-06T09:30:00Z',
    simFaults,
  };
  await mkdir(outDir, { recursive: true });
  const name = `${sampleApp.name} ${build.label}.pkg`;
  const bytes = await encodeFlatPackage(
    {
      identifier: sampleApp.packageId,
      version: build.shortVersion,
      title: sampleApp.name,
      installLocation: sampleApp.installLocation,
      files: await renderSampleApp(build),
    },
    { mtime: new Date(build.signedTime) },
    name,
  );
  const path = join(outDir, name);
  const written = await writeFileAtomic(path, bytes);
  return {
    name,
    path,
    version: build.shortVersion,
    build: build.bundleVersion,
    label: build.label,
    format: 'pkg',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    written,
  };
}

/** The command line, or undefined when it is not one this script takes (an unknown flag included). */
function parseCommandLine(argv: string[]) {
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { version: { type: 'string' }, 'sim-fault': { type: 'string', multiple: true, default: [] } },
    });
    const faultsWithoutVersion = parsed.values['sim-fault'].length > 0 && parsed.values.version === undefined;
    return parsed.positionals.length > 1 || faultsWithoutVersion ? undefined : parsed;
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<void> {
  const parsed = parseCommandLine(argv);
  if (!parsed) {
    console.error('usage: make-sample-builds.ts [OUTDIR] | --version V [--sim-fault NAME=P]... [OUTDIR]');
    process.exitCode = 2;
    return;
  }
  const { values, positionals } = parsed;
  const outDir = positionals[0] ?? defaultOutDir;
  const faults = Object.fromEntries(
    values['sim-fault'].map((entry) => {
      const at = entry.indexOf('=');
      return [entry.slice(0, at), at < 1 ? Number.NaN : Number(entry.slice(at + 1))];
    }),
  );
  const files =
    values.version === undefined
      ? await makeSampleBuilds(outDir)
      : [await makeVersionBuild(outDir, values.version, faults)];
  for (const file of files) {
    const shown = relative(process.cwd(), file.path) || file.path;
    console.log(
      `${file.written ? 'wrote    ' : 'unchanged'} ${shown}\t${file.version} (${file.build})\tsha256 ${file.sha256}`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
