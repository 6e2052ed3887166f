// How a comparison names its two runs: by what differs between them, so that a sentence reads "1.6
// against 1.5" and not two run ids. The first build role whose file differs names each run by its
// app's version (or its file name before it was installed); else a differing image; else the run id.
import { basename } from 'node:path';
import type { RunDirContents } from './run-dir.ts';

type Build = {
  role: string;
  path: string;
  sha256: string;
  bundles?: { kind: string; shortVersion: string }[];
};

function builds(run: RunDirContents): Build[] {
  return Array.isArray(run.manifest.builds) ? (run.manifest.builds as Build[]) : [];
}

function buildName(build: Build): string {
  const app = build.bundles?.find((b) => b.kind === 'app');
  return app ? app.shortVersion : basename(build.path);
}

function runId(run: RunDirContents): string {
  return typeof run.manifest.runId === 'string' ? run.manifest.runId : basename(run.runDir);
}

export function runLabels(a: RunDirContents, b: RunDirContents, images: [string, string]): [string, string] {
  for (const build of builds(a)) {
    const other = builds(b).find((x) => x.role === build.role);
    if (!other || other.sha256 === build.sha256) continue;
    const [nameA, nameB] = [buildName(build), buildName(other)];
    if (nameA !== nameB) return [nameA, nameB];
  }
  if (images[0] !== images[1]) return images;
  return [runId(a), runId(b)];
}
