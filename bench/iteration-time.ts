// How long one iteration takes on the sim, and where the time goes: `make bench` (or
// `npx tsx bench/iteration-time.ts [scenario] [iterations]`). Runs the CLI as a user does: the
// installed package's compiled JavaScript for N and for 4N iterations, then the checkout's TypeScript
// through tsx for N. Prints ms per iteration, iterations per minute, the CPU of each run, what one
// more iteration costs once the run has started (the difference of the two compiled runs: a run's
// start-up, the daemon's and the JIT's warm-up, is the rest), and the split between host commands
// (the fake tart), guest commands (SSH), and the rest (waits and polling), read from the
// transcripts' per-command durations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCompiled, type CliRun, cliRun, cpuPerMoreIteration } from './cli-run.ts';

const scenario = process.argv[2] ?? 'upgrade-xpc';
const iterations = Number(process.argv[3] ?? 10);

// The installed package runs dist/: built fresh, so that the figures are this checkout's.
buildCompiled();
const compiled = await cliRun(scenario, { repeat: iterations, compiled: true });
const longer = await cliRun(scenario, { repeat: iterations * 4, compiled: true });
const checkout = await cliRun(scenario, { repeat: iterations, compiled: false });

const byCommand = new Map<string, { count: number; ms: number }>();
let hostMs = 0;
let guestMs = 0;
let guestCommands = 0;
let guestExecs = 0;
let iterationMs = 0;
const stepMs = new Map<string, number>();
for (const result of compiled.results) {
  iterationMs += result.durationMs;
  for (const step of result.steps) stepMs.set(step.name, (stepMs.get(step.name) ?? 0) + step.durationMs);
  const transcript = readFileSync(
    join(compiled.runDir, 'iterations', String(result.iteration), 'transcript.log'),
    'utf8',
  );
  const pattern =
    /^\$ \[[^\]]+\] \((host|guest)[^\n]*?\) ([^\n]*)\n {2}-> exit \S+ in (\d+) ms(?: for the \d+ commands of one SSH exec \(this is (\d+) of)?/gm;
  for (const match of transcript.matchAll(pattern)) {
    const [, side, command, ms, inBatch] = match as unknown as [string, string, string, string, string?];
    if (side === 'guest') {
      guestCommands += 1;
      // A batch is one SSH exec: counted at its first command.
      if (inBatch === undefined || inBatch === '1') guestExecs += 1;
    }
    const words = command.replace(/^\S*\/tart /, 'tart ').split(' ');
    const name = `${side} ${words.slice(0, words[0] === 'sudo' ? 4 : 2).join(' ')}`;
    const entry = byCommand.get(name) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += Number(ms);
    byCommand.set(name, entry);
    if (side === 'host') hostMs += Number(ms);
    else guestMs += Number(ms);
  }
}
const n = compiled.results.length;
const perIteration = iterationMs / n;
const line = (label: string, ms: number) =>
  process.stdout.write(`${label.padEnd(44)} ${(ms / n).toFixed(0).padStart(6)} ms/iteration\n`);
process.stdout.write(
  `${scenario}: ${n} iteration(s) on the sim (time scale 0), outcomes ${compiled.results.map((r) => r.outcome[0]).join('')}\n`,
);
process.stdout.write(
  `${perIteration.toFixed(0)} ms per iteration, ${(60_000 / perIteration).toFixed(1)} iterations per minute (wall ${(compiled.wallMs / 1000).toFixed(1)} s with start-up)\n`,
);
const cpuLine = (label: string, run: CliRun) => {
  if (!run.cpu) return;
  const { harness, clients, daemon } = run.cpu;
  const ms = (seconds: number) => ((seconds * 1000) / run.results.length).toFixed(0);
  process.stdout.write(
    `CPU ${ms(harness + clients + daemon)} ms per iteration, ${label}: harness ${ms(harness)}, tart clients and shells ${ms(clients)}, sim daemon ${ms(daemon)} (start-up included)\n`,
  );
};
cpuLine('installed package (compiled dist/)', compiled);
cpuLine(`installed package, a run of ${iterations * 4}`, longer);
cpuLine('checkout (TypeScript through tsx, as make scenario)', checkout);
const more = cpuPerMoreIteration(compiled, longer);
if (compiled.cpu && more) {
  const { harness, clients, daemon } = compiled.cpu;
  const startUp = harness + clients + daemon - (more.total * compiled.results.length) / 1000;
  process.stdout.write(
    `CPU ${more.total.toFixed(0)} ms per iteration once a run has started (installed package): harness ${more.harness.toFixed(0)}, tart clients and shells ${more.clients.toFixed(0)}, sim daemon ${more.daemon.toFixed(0)}; the run's start-up ${startUp.toFixed(1)} s\n`,
  );
}
process.stdout.write(`sim daemon resident memory after the run: ${compiled.daemonMb.toFixed(0)} MB\n`);
process.stdout.write(
  `guest commands per iteration: ${(guestCommands / n).toFixed(1)} in ${(guestExecs / n).toFixed(1)} SSH execs\n`,
);
line('host commands (fake tart processes)', hostMs);
line('guest commands (SSH exec)', guestMs);
line('other (waits, polling, connect, reporting)', iterationMs - hostMs - guestMs);
const inSteps = [...stepMs.values()].reduce((a, b) => a + b, 0);
line('scenario steps (with their snapshots)', inSteps);
line('boot, SSH connect, teardown (outside steps)', iterationMs - inSteps);
process.stdout.write('\nsteps:\n');
for (const [name, ms] of stepMs) line(`  ${name}`, ms);
process.stdout.write('\nslowest commands, total over the run:\n');
for (const [name, entry] of [...byCommand.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10)) {
  process.stdout.write(
    `  ${name.padEnd(50)} ${String(entry.count).padStart(5)}x ${(entry.ms / entry.count).toFixed(0).padStart(6)} ms avg\n`,
  );
}
