// How long one iteration takes on the sim, and where the time goes: `make bench` (or
// `npx tsx bench/iteration-time.ts [scenario] [iterations]`). Prints ms per iteration, iterations
// per minute, and the split between host commands (the fake tart), guest commands (SSH), and the
// rest (waits and polling), read from the transcripts' per-command durations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processCpu, residentMb, simDaemonCpu, simDaemonPids } from './process-cpu.ts';
import { simRun } from './sim-run.ts';

const scenario = process.argv[2] ?? 'upgrade-xpc';
const iterations = Number(process.argv[3] ?? 10);

const started = performance.now();
const cpuBefore = processCpu();
const outcome = await simRun(scenario, { repeat: iterations });
const wallMs = performance.now() - started;
// Read at once: an idle daemon exits after 10 s and takes its counters with it.
const cpuAfter = processCpu();
const daemonCpu = simDaemonCpu(outcome.tartHome);
// A daemon serves every iteration of a run: memory that grows with the iterations is a leak.
const daemonMb = simDaemonPids(outcome.tartHome)
  .map((pid) => residentMb(pid) ?? 0)
  .reduce((a, b) => a + b, 0);

const byCommand = new Map<string, { count: number; ms: number }>();
let hostMs = 0;
let guestMs = 0;
let iterationMs = 0;
const stepMs = new Map<string, number>();
for (const result of outcome.results) {
  iterationMs += result.durationMs;
  for (const step of result.steps) stepMs.set(step.name, (stepMs.get(step.name) ?? 0) + step.durationMs);
  const transcript = readFileSync(
    join(outcome.runDir, 'iterations', String(result.iteration), 'transcript.log'),
    'utf8',
  );
  const pattern = /^\$ \[[^\]]+\] \((host|guest)[^\n]*?\) ([^\n]*)\n {2}-> exit \S+ in (\d+) ms/gm;
  for (const match of transcript.matchAll(pattern)) {
    const [, side, command, ms] = match as unknown as [string, string, string, string];
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
const n = outcome.results.length;
const perIteration = iterationMs / n;
const line = (label: string, ms: number) =>
  process.stdout.write(`${label.padEnd(44)} ${(ms / n).toFixed(0).padStart(6)} ms/iteration\n`);
process.stdout.write(
  `${scenario}: ${n} iteration(s) on the sim (time scale 0), outcomes ${outcome.results.map((r) => r.outcome[0]).join('')}\n`,
);
process.stdout.write(
  `${perIteration.toFixed(0)} ms per iteration, ${(60_000 / perIteration).toFixed(1)} iterations per minute (wall ${(wallMs / 1000).toFixed(1)} s with setup)\n`,
);
if (cpuBefore && cpuAfter) {
  const harnessCpu = cpuAfter.self - cpuBefore.self;
  const clientsCpu = cpuAfter.children - cpuBefore.children;
  const total = harnessCpu + clientsCpu + daemonCpu;
  process.stdout.write(
    `CPU ${((total * 1000) / n).toFixed(0)} ms per iteration: harness ${((harnessCpu * 1000) / n).toFixed(0)}, tart clients and shells ${((clientsCpu * 1000) / n).toFixed(0)}, sim daemon ${((daemonCpu * 1000) / n).toFixed(0)} (with setup)\n`,
  );
  process.stdout.write(`sim daemon resident memory after the run: ${daemonMb.toFixed(0)} MB\n`);
}
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
