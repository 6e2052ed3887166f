// Shared by the benchmarks: a private simulated Mac (own TART_HOME, run registry, artifacts) and
// an in-process `runCommand` against it, silent unless asked.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type RunOptions, runCommand } from '../harness/run-command.ts';
import type { Scenario } from '../harness/scenario/define-scenario.ts';
import { findScenario } from '../scenarios/index.ts';

/**
 * Where the benchmarks put their VMs: SXL_BENCH_DIR, else tmpfs when the host has one (deleting a
 * VM folder costs ten times more on some disks, which would measure the disk), else the temp folder.
 */
export function benchRoot(): string {
  const given = process.env.SXL_BENCH_DIR;
  if (given) return given;
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

const keep = (): boolean => process.env.SXL_BENCH_KEEP === '1';
// Every private sim not yet removed; one exit listener removes them all (one per sim would pass
// Node's limit of ten listeners in a bench that runs more).
const sims = new Set<string>();
let removeAtExit = false;

export function privateSim(): { dir: string; tartHome: string; artifacts: string } {
  const dir = mkdtempSync(join(benchRoot(), 'sxl-bench-'));
  process.stderr.write(
    `bench: VMs and runs under ${dir} (SXL_BENCH_DIR to choose; ${keep() ? 'kept' : 'removed at exit, SXL_BENCH_KEEP=1 keeps it'})\n`,
  );
  // Removing the folder also removes the simulated host's port file, which retires its daemon.
  if (!keep()) {
    sims.add(dir);
    if (!removeAtExit) {
      removeAtExit = true;
      process.on('exit', () => {
        for (const sim of sims) rmSync(sim, { recursive: true, force: true });
      });
    }
  }
  process.env.SXL_STATE_DIR = join(dir, 'runs');
  return { dir, tartHome: join(dir, 'tart-home'), artifacts: join(dir, 'artifacts') };
}

/** Removes the private sim whose TART_HOME is `tartHome` now rather than at exit; SXL_BENCH_KEEP=1 keeps it. */
export function removeSim(tartHome: string): void {
  if (keep()) return;
  const dir = dirname(tartHome);
  rmSync(dir, { recursive: true, force: true });
  sims.delete(dir);
}

export async function simRun(
  scenarioId: string | Scenario,
  options: Partial<Omit<RunOptions, 'scenario'>> & {
    timeScale?: number;
    seed?: number;
    quirks?: Record<string, number>;
  } = {},
): Promise<Awaited<ReturnType<typeof runCommand>> & { tartHome: string }> {
  const scenario = typeof scenarioId === 'string' ? findScenario(scenarioId) : scenarioId;
  if (!scenario) throw new Error(`Unknown scenario ${scenarioId}`);
  const sim = privateSim();
  const { timeScale = 0, seed = 1, quirks = {}, ...rest } = options;
  const outcome = await runCommand({
    scenario,
    backend: 'sim',
    backendSettings: { seed, quirks, tartHome: sim.tartHome, timeScale },
    artifactsDir: sim.artifacts,
    argv: ['bench'],
    write: () => {},
    ...rest,
  });
  return { ...outcome, tartHome: sim.tartHome };
}
