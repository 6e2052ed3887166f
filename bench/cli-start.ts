// How long `sysext-lab --help` takes to start from the packaged install (`npx tsx bench/cli-start.ts
// [runs]`): packs the project (npm pack builds dist/), installs the tarball into a temporary project
// from the npm cache, then times, interleaved so that the machine's load hits each alike, a bare
// `node -e 0`, the installed CLI's `--help`, and this checkout's CLI under tsx. Prints the median wall
// time and the mean CPU time (user+system of the child, from /proc: a shared machine's load shows in
// the wall time first; where /proc is missing, e.g. macOS, no CPU column), each over a bare Node start,
// and the tarball's size and file count.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../harness/package-root.ts';
import { median } from './median.ts';
import { processCpu } from './process-cpu.ts';

const runs = Number(process.argv[2] ?? 30);
const repo = packageRoot();
const dir = mkdtempSync(join(tmpdir(), 'sxl-bench-start-'));
try {
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--pack-destination', dir, '--json'], {
      cwd: repo,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as { filename: string; size: number; unpackedSize: number; entryCount: number }[];
  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "bench", "private": true, "type": "module" }\n');
  execFileSync(
    'npm',
    ['install', '-D', join(dir, packed!.filename), '--no-audit', '--no-fund', '--prefer-offline'],
    {
      cwd: project,
      stdio: 'ignore',
    },
  );
  const installed = join(project, 'node_modules', 'sysext-lab', 'bin', 'sysext-lab.js');
  const commands: Record<string, string[]> = {
    'node -e 0': ['-e', '0'],
    'sysext-lab --help (package)': [installed, '--help'],
    'sysext-lab --help (checkout, tsx)': [join(repo, 'bin', 'sysext-lab.js'), '--help'],
  };
  // Without /proc (macOS) the CPU time is unknown: the column is left out rather than printed as 0.
  const cpuKnown = processCpu() !== undefined;
  const samples = new Map<string, { wall: number[]; cpuSeconds: number }>();
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(commands)) {
      const cpuBefore = processCpu()?.children ?? 0;
      const started = process.hrtime.bigint();
      const child = spawnSync(process.execPath, args, { stdio: 'ignore' });
      const wall = Number(process.hrtime.bigint() - started) / 1e6;
      if (child.status !== 0) throw new Error(`${name} exited ${child.status}`);
      const entry = samples.get(name) ?? { wall: [], cpuSeconds: 0 };
      entry.wall.push(wall);
      // Clock ticks of 10 ms: summed over the runs, their mean is exact enough.
      entry.cpuSeconds += (processCpu()?.children ?? 0) - cpuBefore;
      samples.set(name, entry);
    }
  }
  const bare = median(samples.get('node -e 0')!.wall);
  const cpuMs = (name: string) => (samples.get(name)!.cpuSeconds * 1000) / runs;
  const bareCpu = cpuMs('node -e 0');
  console.log(
    `${runs} runs each, interleaved; median wall time${cpuKnown ? ', mean CPU time (user+system)' : ''}:`,
  );
  for (const [name, { wall }] of samples) {
    const ms = median(wall);
    const cpu = cpuMs(name);
    const cpuColumn = cpuKnown
      ? `, CPU ${cpu.toFixed(0).padStart(5)} ms (+${(cpu - bareCpu).toFixed(0)})`
      : '';
    console.log(
      `  ${name.padEnd(36)} wall ${ms.toFixed(0).padStart(5)} ms (+${(ms - bare).toFixed(0)})${cpuColumn} over node -e 0`,
    );
  }
  console.log(`machine load average when done: ${loadavg()[0]!.toFixed(1)}`);
  console.log(
    `tarball ${packed!.filename}: ${(packed!.size / 1024).toFixed(0)} KiB, ${packed!.entryCount} files, ${(packed!.unpackedSize / 1024 / 1024).toFixed(1)} MiB unpacked`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
