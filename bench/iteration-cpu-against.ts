// What one more sim iteration costs in CPU, this checkout against another commit, in interleaved
// rounds: `make bench-against REF=<commit>` (or `npx tsx bench/iteration-cpu-against.ts REF
// [scenario] [iterations] [rounds]`). The CPU a process is charged for the same work drifts by up to
// 2x within an hour on a shared VM, so a figure measured today says little next to one measured
// yesterday; two commits measured in turns, each round running both, give a ratio that the drift
// mostly cancels. REF is checked out into a worktree of its own (installed with `npm ci` and built),
// which is removed at exit. Each side runs the compiled CLI for N and 4N iterations in a round; the
// difference is what one more iteration costs once a run has started (bench/iteration-time.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../harness/package-root.ts';
import { buildCompiled, cliRun, cpuPerMoreIteration } from './cli-run.ts';
import { median } from './median.ts';

const [ref, scenario = 'upgrade-xpc', iterationsArg = '20', roundsArg = '3'] = process.argv.slice(2);
const iterations = Number(iterationsArg);
const rounds = Number(roundsArg);
if (!ref || !Number.isInteger(iterations) || iterations < 1 || !Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(
    'usage: iteration-cpu-against.ts REF [scenario] [iterations] [rounds]\n' +
      '  REF: a commit of this repository to measure against (a hash, tag or branch)\n' +
      '  iterations: the shorter run of each pair (default 20; the longer runs 4x as many)\n' +
      '  rounds: how many times both sides run, in turns (default 3)\n',
  );
  process.exit(64);
}

const here = packageRoot();
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
let commit: string;
try {
  commit = git('rev-parse', '--verify', `${ref}^{commit}`);
} catch {
  process.stderr.write(
    `iteration-cpu-against: "${ref}" is not a commit of ${here}; give a hash, tag or branch\n`,
  );
  process.exit(64);
}

// The worktree goes on the disk, not tmpfs: it holds a node_modules of its own.
const worktree = mkdtempSync(join(tmpdir(), 'sxl-bench-against-'));
process.stderr.write(
  `bench: ${ref} (${commit.slice(0, 10)}) checked out under ${worktree}, removed at exit\n`,
);
process.on('exit', () => {
  try {
    git('worktree', 'remove', '--force', worktree);
  } catch {
    rmSync(worktree, { recursive: true, force: true });
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

git('worktree', 'add', '--detach', '--force', worktree, commit);
// Checked before the install, which takes a minute.
if (!existsSync(join(worktree, 'tools', 'build.ts'))) {
  process.stderr.write(`iteration-cpu-against: ${ref} has no tools/build.ts (no compiled CLI to measure)\n`);
  process.exit(1);
}
execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], {
  cwd: worktree,
  stdio: 'ignore',
});
buildCompiled(worktree);
buildCompiled(here);

interface Side {
  label: string;
  root: string;
  /** ms of CPU per iteration once a run has started, one per round. */
  marginal: number[];
  /** ms of CPU per iteration of the shorter run, start-up included, one per round. */
  withStartUp: number[];
}

const sides: Side[] = [
  { label: 'this checkout', root: here, marginal: [], withStartUp: [] },
  { label: `${ref} (${commit.slice(0, 10)})`, root: worktree, marginal: [], withStartUp: [] },
];

async function measure(side: Side): Promise<void> {
  const shorter = await cliRun(scenario, { repeat: iterations, compiled: true, root: side.root });
  const longer = await cliRun(scenario, { repeat: iterations * 4, compiled: true, root: side.root });
  const more = cpuPerMoreIteration(shorter, longer);
  if (!shorter.cpu || !more) throw new Error('iteration-cpu-against: CPU times need /proc (Linux)');
  const { harness, clients, daemon } = shorter.cpu;
  side.marginal.push(more.total);
  side.withStartUp.push(((harness + clients + daemon) * 1000) / iterations);
}

for (let round = 0; round < rounds; round += 1) {
  // Turns alternate who goes first, so that neither side always meets a warmer machine.
  const order = round % 2 === 0 ? sides : [...sides].reverse();
  for (const side of order) await measure(side);
  const [ours, theirs] = sides as [Side, Side];
  process.stdout.write(
    `round ${round + 1}: ${ours.marginal[round]!.toFixed(0)} ms against ${theirs.marginal[round]!.toFixed(0)} ms per iteration once started, ratio ${(ours.marginal[round]! / theirs.marginal[round]!).toFixed(2)}\n`,
  );
}

const range = (values: number[]) => `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;
const [ours, theirs] = sides as [Side, Side];
const ratios = (pick: (side: Side) => number[]) => pick(ours).map((value, i) => value / pick(theirs)[i]!);
process.stdout.write(
  `\n${scenario}, CPU per iteration (harness, tart clients and shells, sim daemon), medians of ${rounds} interleaved rounds:\n`,
);
for (const [what, pick] of [
  ['once a run has started', (side: Side) => side.marginal],
  [`a run of ${iterations}, start-up included`, (side: Side) => side.withStartUp],
] as const) {
  process.stdout.write(
    `  ${what.padEnd(36)} ${ours.label} ${median(pick(ours)).toFixed(0)} ms, ${theirs.label} ${median(pick(theirs)).toFixed(0)} ms, ratio ${median(ratios(pick)).toFixed(2)} (rounds ${range(ratios(pick))})\n`,
  );
}
