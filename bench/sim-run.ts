// Shared by the benchmarks: a private simulated Mac (own TART_HOME, run registry, artifacts) and
// an in-process `runCommand` against it, silent unless asked.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunOptions, runCommand, runDefaults } from '../harness/run-command.ts';
import { findScenario } from '../scenarios/index.ts';

export function privateSim(): { dir: string; tartHome: string; artifacts: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-bench-'));
  process.env.SXL_STATE_DIR = join(dir, 'runs');
  return { dir, tartHome: join(dir, 'tart-home'), artifacts: join(dir, 'artifacts') };
}

export async function simRun(
  scenarioId: string,
  options: Partial<RunOptions> & { timeScale?: number } = {},
): Promise<Awaited<ReturnType<typeof runCommand>> & { tartHome: string }> {
  const scenario = findScenario(scenarioId);
  if (!scenario) throw new Error(`Unknown scenario ${scenarioId}`);
  const sim = privateSim();
  const { timeScale = 0, ...rest } = options;
  const outcome = await runCommand({
    scenario,
    backend: 'sim',
    image: runDefaults.image,
    repeat: 1,
    inputs: {},
    seed: 1,
    quirks: {},
    artifactsDir: sim.artifacts,
    keepVm: false,
    argv: ['bench'],
    signal: new AbortController().signal,
    write: () => {},
    sim: { tartHome: sim.tartHome, timeScale },
    ...rest,
  });
  return { ...outcome, tartHome: sim.tartHome };
}
