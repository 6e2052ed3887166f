// A sim run through the CLI in a process of its own, as a user starts it, with the CPU it costs:
// the CLI (the harness), the processes it waits for (the tart clients and their shells), and the
// sim daemon, which is nobody's child. `compiled` runs dist/ (what the installed package runs; the
// caller builds it first), otherwise the checkout's TypeScript through tsx (what `make scenario` runs).
// `root` runs another checkout's CLI (bench/iteration-cpu-against.ts: an older commit's worktree).
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../harness/package-root.ts';
import { processCpu, residentMb, simDaemonCpu, simDaemonPids } from './process-cpu.ts';
import { privateSim } from './sim-run.ts';

export interface CliRunResult {
  iteration: number;
  outcome: string;
  durationMs: number;
  steps: { name: string; durationMs: number }[];
}

export interface CliRun {
  exitCode: number | null;
  runDir: string;
  tartHome: string;
  results: CliRunResult[];
  wallMs: number;
  /** CPU seconds, start-up included; undefined without /proc (macOS). */
  cpu?: { harness: number; clients: number; daemon: number };
  /** The sim daemon's resident memory once the run ended: memory that grows with the iterations is a leak. */
  daemonMb: number;
}

/** How often the CLI's own CPU is read: what it spends after the last reading counts as its clients'. */
const CPU_POLL_MS = 10;

export async function cliRun(
  scenario: string,
  options: { repeat: number; compiled: boolean; seed?: number; root?: string },
): Promise<CliRun> {
  const sim = privateSim();
  const repeat = String(options.repeat);
  const seed = String(options.seed ?? 1);
  const args = ['run', scenario, '--repeat', repeat, '--seed', seed, '--artifacts', sim.artifacts];
  const env = {
    ...process.env,
    SXL_DIST: options.compiled ? '1' : '0',
    SXL_SIM_TART_HOME: sim.tartHome,
    SXL_SIM_TIME_SCALE: '0',
  };
  const before = processCpu();
  const started = performance.now();
  const bin = join(options.root ?? packageRoot(), 'bin', 'sysext-lab.js');
  const child = spawn(process.execPath, [bin, ...args], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // The CLI's own share: its CPU is readable only while it runs, so it is read until it ends.
  let harness = 0;
  const poll = setInterval(() => {
    const now = child.pid === undefined ? undefined : processCpu(child.pid);
    if (now) harness = now.self;
  }, CPU_POLL_MS);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  }).finally(() => clearInterval(poll));
  const wallMs = performance.now() - started;
  const after = processCpu();
  // Read at once: an idle daemon exits after 10 s and takes its counters with it.
  const daemon = simDaemonCpu(sim.tartHome);
  const daemonMb = simDaemonPids(sim.tartHome)
    .map((pid) => residentMb(pid) ?? 0)
    .reduce((a, b) => a + b, 0);
  const [runId] = readdirSync(sim.artifacts);
  if (!runId) throw new Error(`the CLI (exit ${exitCode}) left no run folder in ${sim.artifacts}`);
  const runDir = join(sim.artifacts, runId);
  const { results } = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
    results: CliRunResult[];
  };
  const cpu =
    before && after ? { harness, clients: after.children - before.children - harness, daemon } : undefined;
  return { exitCode, runDir, tartHome: sim.tartHome, results, wallMs, daemonMb, ...(cpu ? { cpu } : {}) };
}

/** Builds dist/ in the checkout at `root` (this one by default): the compiled CLI that `compiled` runs. */
export function buildCompiled(root: string = packageRoot()): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'tools/build.ts'], { cwd: root, stdio: 'ignore' });
}

export type CpuParts = NonNullable<CliRun['cpu']>;

/**
 * What one more iteration costs once a run has started, in ms of CPU for each part and in all: the
 * difference between a longer and a shorter run of the same CLI, so that the start-up cancels.
 */
export function cpuPerMoreIteration(
  shorter: CliRun,
  longer: CliRun,
): (CpuParts & { total: number }) | undefined {
  if (!shorter.cpu || !longer.cpu) return undefined;
  const more = longer.results.length - shorter.results.length;
  const per = (part: keyof CpuParts) => ((longer.cpu![part] - shorter.cpu![part]) * 1000) / more;
  const parts = { harness: per('harness'), clients: per('clients'), daemon: per('daemon') };
  return { ...parts, total: parts.harness + parts.clients + parts.daemon };
}
