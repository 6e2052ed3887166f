// In-process runs of a scenario on a private simulated Mac (own TART_HOME, run registry and
// artifacts folder; modelled delays scaled to 0), through the same runCommand the CLI calls.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioSummary } from '../../harness/report/run-summary.ts';
import { type RunOptions, runCommand, runDefaults } from '../../harness/run-command.ts';
import { findScenario } from '../../scenarios/index.ts';

export interface SimRun extends Awaited<ReturnType<typeof runCommand>> {
  summary: { exitCode: number; scenarios: ScenarioSummary[] };
  console: string;
}

export async function runOnSim(
  scenarioId: string,
  options: Partial<Omit<RunOptions, 'scenario'>> = {},
): Promise<SimRun> {
  const scenario = findScenario(scenarioId);
  if (!scenario) throw new Error(`Unknown scenario ${scenarioId}`);
  const dir = mkdtempSync(join(tmpdir(), 'sxl-scn-'));
  process.env.SXL_STATE_DIR = join(dir, 'runs');
  let console = '';
  const outcome = await runCommand({
    scenario,
    backend: 'sim',
    image: runDefaults.image,
    repeat: 1,
    inputs: {},
    seed: 1,
    quirks: {},
    artifactsDir: join(dir, 'artifacts'),
    keepVm: false,
    argv: ['sysext-lab', 'run', scenarioId],
    signal: new AbortController().signal,
    write: (text) => {
      console += text;
    },
    sim: { tartHome: join(dir, 'tart-home'), timeScale: 0 },
    ...options,
  });
  const summary = JSON.parse(readFileSync(join(outcome.runDir, 'summary.json'), 'utf8'));
  return { ...outcome, summary, console };
}
