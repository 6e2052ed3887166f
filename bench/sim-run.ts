// Shared by the benchmarks: a private simulated Mac (own TART_HOME, run registry, artifacts) and
// an in-process `runCommand` against it, silent unless asked.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunOptions, runCommand } from '../harness/run-command.ts';
import { findScenario } from '../scenarios/index.ts';

export function privateSim(): { dir: string; tartHome: string; artifacts: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-bench-'));
  process.env.SXL_STATE_DIR = join(dir, 'runs');
  return { dir, tartHome: join(dir, 'tart-home'), artifacts: join(dir, 'artifacts') };
}

export async function simRun(
  scenarioId: string,
  options: Partial<Omit<RunOptions, 'scenario'>> & {
    timeScale?: number;
    seed?: number;
    quirks?: Record<string, number>;
  } = {},
): Promise<Awaited<ReturnType<typeof runCommand>> & { tartHome: string }> {
  const scenario = findScenario(scenarioId);
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
