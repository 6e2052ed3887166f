// Joins the run directories of CI shards (--shard K/N) into one run directory, as if one run had
// made every iteration: the iterations' folders are copied, and the run's reporters are fed the
// pooled results, so junit.xml, results.json, summary.json, run.json and report.html are the ones
// the whole run would have written (the rate and its interval over every shard's iterations).
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../errors.ts';
import { newRunId } from '../run-registry.ts';
import type { IterationResult } from '../scenario/events.ts';
import { describeShard, type Shard } from '../scenario/shard.ts';
import { harnessVersion } from '../version.ts';
import { HtmlReporter } from './html-report.ts';
import { JUnitReporter } from './junit-reporter.ts';
import { fanOut } from './reporter.ts';
import { ResultsReporter } from './results-reporter.ts';
import { readRunDir } from './run-dir.ts';
import { ManifestReporter, type RunManifest } from './run-manifest.ts';
import {
  exitCodeFor,
  exitCodes,
  type ScenarioSummary,
  type SummaryWording,
  summarize,
} from './run-summary.ts';
import { SummaryReporter } from './summary-reporter.ts';

export interface MergeOptions {
  /** The merged run directory; it must not exist yet. @default <the first shard's parent>/<new run id> */
  out?: string;
}

export interface MergeOutcome {
  runDir: string;
  exitCode: number;
  results: IterationResult[];
  /** Counts, pooled rate and interval per scenario and image, as summary.json has them. */
  scenarios: ScenarioSummary[];
}

/** What must be the same in every shard for them to be parts of one run (run.json keys). */
const SAME_IN_EVERY_SHARD = [
  'scenario',
  'signature',
  'backend',
  'images',
  'repetition',
  'sleepStrategy',
  'seed',
  'quirks',
] as const;

interface ShardDir {
  dir: string;
  manifest: RunManifest;
  shard: Shard;
  results: IterationResult[];
}

export function mergeShards(dirs: readonly string[], options: MergeOptions = {}): MergeOutcome {
  if (dirs.length === 0)
    throw new ConfigError('run-dir', 'merge takes the run directories of the shards, got none');
  const shards = dirs.map(readShard);
  checkSameRun(shards);
  const first = shards[0]!;
  const out = resolve(options.out ?? join(resolve(first.dir, '..'), newRunId()));
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new ConfigError('--out', `--out must be a new or empty directory, got ${out} (it has files)`);
  }
  mkdirSync(join(out, 'iterations'), { recursive: true });
  const results = shards.flatMap((s) => s.results).sort((a, b) => a.iteration - b.iteration);
  for (const shard of shards) {
    for (const result of shard.results) {
      const from = join(shard.dir, 'iterations', String(result.iteration));
      if (existsSync(from))
        cpSync(from, join(out, 'iterations', String(result.iteration)), { recursive: true });
    }
  }
  const interrupted = shards.some((s) => s.manifest.interrupted === true);
  let exitCode = exitCodeFor(results, interrupted);
  // A shard that crashed between iterations left no result to say so: the whole run did not pass.
  if (exitCode === exitCodes.passed && shards.some((s) => s.manifest.exitCode !== exitCodes.passed)) {
    exitCode = exitCodes.infrastructure;
  }
  const runId = out.split(/[\\/]/).at(-1) ?? newRunId();
  const { shard: _shard, rateWording, ...base } = first.manifest;
  const wording = (): SummaryWording =>
    rateWording ?? { unit: 'iterations', bug: base.signature.description };
  const manifest: RunManifest = {
    ...base,
    runId,
    harnessVersion,
    iterations: shards.reduce((sum, s) => sum + s.manifest.iterations, 0),
    mergedFrom: shards.map((s) => resolve(s.dir)),
    // Facts learnt while running (guest, digest) come from whichever shard learnt them.
    ...pick(shards, 'guest'),
    ...pick(shards, 'imageDigest'),
    startedAt: shards.map((s) => s.manifest.startedAt).sort()[0]!,
    evidence: undefined,
  };
  const reporters = fanOut(
    [
      new ManifestReporter(out, manifest),
      new ResultsReporter(out, { wording }),
      new SummaryReporter(out, { wording }),
      new JUnitReporter(out, {
        runId,
        backend: base.backend,
        backendProperties: backendProperties(base),
        builds: Object.fromEntries(base.builds.map((b) => [b.role, `${b.path} sha256:${b.sha256}`])),
        wording,
        sleepStrategy: base.sleepStrategy,
      }),
      new HtmlReporter(out, (message) => {
        throw new Error(message);
      }),
    ],
    (error) => {
      throw error;
    },
  );
  reporters({
    type: 'run-started',
    runId,
    runDir: out,
    scenario: base.scenario,
    image: base.image,
    images: base.images,
    iterations: manifest.iterations,
    backend: base.backend,
    at: manifest.startedAt,
  });
  for (const result of results) reporters({ type: 'iteration-finished', result });
  const finishedAt =
    shards
      .map((s) => s.manifest.finishedAt ?? '')
      .sort()
      .at(-1) || new Date().toISOString();
  reporters({ type: 'run-finished', at: finishedAt, exitCode, interrupted });
  return { runDir: out, exitCode, results, scenarios: summarize(results, wording) };
}

function readShard(dir: string): ShardDir {
  const contents = readRunDir(dir);
  const manifest = contents.manifest as RunManifest;
  if (!manifest.shard) {
    throw new ConfigError(
      'run-dir',
      `Not a shard: ${join(dir, 'run.json')} has no shard (run it with --shard K/N)`,
    );
  }
  if (manifest.finishedAt === undefined) {
    throw new ConfigError('run-dir', `The shard in ${dir} has not finished (its run.json has no finishedAt)`);
  }
  return { dir, manifest, shard: manifest.shard, results: contents.iterations };
}

/** Refuses shards that are not the parts of one run: what differs, between which directories. */
function checkSameRun(shards: readonly ShardDir[]): void {
  const first = shards[0]!;
  for (const other of shards.slice(1)) {
    for (const key of SAME_IN_EVERY_SHARD) {
      if (!isDeepStrictEqual(first.manifest[key], other.manifest[key])) {
        throw new ConfigError(
          'run-dir',
          `Shards of different runs: ${key} differs between ${first.dir} (${JSON.stringify(first.manifest[key])}) and ${other.dir} (${JSON.stringify(other.manifest[key])})`,
        );
      }
    }
    const builds = (s: ShardDir) => s.manifest.builds.map((b) => `${b.role}:${b.sha256}`);
    if (!isDeepStrictEqual(builds(first), builds(other))) {
      throw new ConfigError(
        'run-dir',
        `Shards of different runs: the builds differ between ${first.dir} (${builds(first).join(', ')}) and ${other.dir} (${builds(other).join(', ')})`,
      );
    }
    if (other.shard.count !== first.shard.count) {
      throw new ConfigError(
        'run-dir',
        `Shards of different runs: ${first.dir} is shard ${describeShard(first.shard)}, ${other.dir} is shard ${describeShard(other.shard)}`,
      );
    }
  }
  const count = first.shard.count;
  const seen = new Map<number, string>();
  for (const s of shards) {
    const twin = seen.get(s.shard.index);
    if (twin !== undefined) {
      throw new ConfigError(
        'run-dir',
        `Shard ${describeShard(s.shard)} is given twice: ${twin} and ${s.dir}`,
      );
    }
    seen.set(s.shard.index, s.dir);
  }
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !seen.has(k));
  if (missing.length > 0) {
    throw new ConfigError(
      'run-dir',
      `Missing shard(s) ${missing.map((k) => `${k}/${count}`).join(', ')}: got ${[...seen.keys()]
        .sort((a, b) => a - b)
        .map((k) => `${k}/${count}`)
        .join(', ')}`,
    );
  }
}

/** The first shard's value of `key`, as a spreadable object, when any shard has one. */
function pick<K extends 'guest' | 'imageDigest'>(shards: readonly ShardDir[], key: K): Partial<RunManifest> {
  const value = shards.map((s) => s.manifest[key]).find((v) => v !== undefined);
  return value === undefined ? {} : { [key]: value };
}

/** The suite properties the backend's profile wrote (the sim: seed and quirks), from run.json. */
function backendProperties(manifest: RunManifest): Record<string, string> {
  const properties: Record<string, string> = {};
  if (manifest.seed !== undefined) properties.seed = String(manifest.seed);
  if (manifest.quirks !== undefined) {
    properties.quirks = Object.entries(manifest.quirks)
      .map(([name, p]) => `${name}=${p}`)
      .join(',');
  }
  return properties;
}
