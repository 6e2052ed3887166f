// In-process runs of a scenario on a private simulated Mac (own TART_HOME, run registry and
// artifacts folder; modelled delays scaled to 0), through the same runCommand the CLI calls.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioSummary } from '../../harness/report/run-summary.ts';
import { type RunOptions, runCommand } from '../../harness/run-command.ts';
import { findScenario } from '../../scenarios/index.ts';

export interface SimRun extends Awaited<ReturnType<typeof runCommand>> {
  summary: { exitCode: number; scenarios: ScenarioSummary[] };
  console: string;
}

/** RunOptions plus the sim backend's settings, spelt as flat options for brevity. */
export type SimRunOptions = Partial<Omit<RunOptions, 'scenario'>> & {
  /** @default 1 */
  seed?: number;
  quirks?: Record<string, number>;
  /** The sim's TART_HOME and time scale. @default a private TART_HOME, scale 0 */
  sim?: { tartHome?: string; timeScale?: number };
};

export async function runOnSim(scenarioId: string, options: SimRunOptions = {}): Promise<SimRun> {
  const scenario = findScenario(scenarioId);
  if (!scenario) throw new Error(`Unknown scenario ${scenarioId}`);
  const dir = mkdtempSync(join(tmpdir(), 'sxl-scn-'));
  process.env.SXL_STATE_DIR = join(dir, 'runs');
  let console = '';
  const { seed = 1, quirks = {}, sim, ...rest } = options;
  const outcome = await runCommand({
    scenario,
    backend: 'sim',
    backendSettings: {
      seed,
      quirks,
      tartHome: sim?.tartHome ?? join(dir, 'tart-home'),
      timeScale: sim?.timeScale ?? 0,
    },
    artifactsDir: join(dir, 'artifacts'),
    argv: ['sysext-lab', 'run', scenarioId],
    write: (text) => {
      console += text;
    },
    ...rest,
  });
  const summary = JSON.parse(readFileSync(join(outcome.runDir, 'summary.json'), 'utf8'));
  return { ...outcome, summary, console };
}
