// run.json: what ran, where, with what: enough to repeat the run and to tell two runs apart.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { arch, platform, release, type } from 'node:os';
import { join } from 'node:path';
import { runHostCommand } from '../backends/host-command.ts';
import type { EvidenceProblem, EvidenceRecord } from '../evidence/collector.ts';
import type { BuildRecord } from '../scenario/events.ts';
import type { Redactor } from './redact.ts';
import { writeFileAtomic } from './write-atomic.ts';

export interface RunManifest {
  runId: string;
  harnessVersion: string;
  command: string[];
  backend: string;
  tool: string;
  toolVersion: string;
  host: { os: string; release: string; arch: string; macos?: string; model?: string };
  /** The image's digest as the VM tool resolved it (`tart fqn`), when known. */
  imageDigest?: string;
  image: string;
  guest?: { productName: string; productVersion: string; buildVersion: string; sip?: string };
  scenario: string;
  iterations: number;
  builds: BuildRecord[];
  seed?: number;
  quirks?: Record<string, number>;
  startedAt: string;
  finishedAt?: string;
  exitCode?: number;
  interrupted?: boolean;
  /** Per iteration that collected evidence: each file's path, size and sha256, and what failed. */
  evidence?: { iteration: number; files: EvidenceRecord[]; problems: EvidenceProblem[] }[];
}

export function hostFacts(): RunManifest['host'] {
  return { os: type(), release: release(), arch: arch() };
}

/** On a Mac host also the macOS version and the model (e.g. Mac14,6), for Feedback reports. */
export async function macHostFacts(): Promise<{ macos?: string; model?: string }> {
  if (platform() !== 'darwin') return {};
  const read = async (bin: string, args: string[]) =>
    (await runHostCommand(bin, args, { timeoutMs: 10_000, allowFailure: true })).stdout.trim() || undefined;
  return {
    macos: await read('sw_vers', ['-productVersion']),
    model: await read('sysctl', ['-n', 'hw.model']),
  };
}

export function writeManifest(runDir: string, manifest: RunManifest, redactor?: Redactor): void {
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileAtomic(join(runDir, 'run.json'), redactor ? redactor.redact(text) : text);
}

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
