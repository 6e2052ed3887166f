// In-process runs of a scenario on `--backend orchard` against a simulated Orchard controller that
// the test starts itself (its workers are simulated Macs with the fake tart, time scale 0), through
// the same runCommand the CLI calls. Builds are the sim's sample builds, given as a user gives them.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend } from '../../harness/backends/registry.ts';
import type { ScenarioSummary } from '../../harness/report/run-summary.ts';
import { type RunOptions, runCommand } from '../../harness/run-command.ts';
import { findScenario } from '../../scenarios/index.ts';
import { SimOrchardController } from '../../sim/orchard/controller.ts';

export interface OrchardFleet {
  controller: SimOrchardController;
  url: string;
  dir: string;
  settings: { url: string; serviceAccountName: string; serviceAccountToken: string };
  close(): Promise<void>;
}

/** A simulated controller with `workers` workers on loopback; close() stops everything. */
export async function startFleet(
  options: { workers?: number; seed?: number; quirks?: Record<string, number> } = {},
): Promise<OrchardFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-orchard-'));
  const controller = new SimOrchardController({
    workers: options.workers ?? 1,
    dir: join(dir, 'workers'),
    seed: options.seed ?? 1,
    quirks: options.quirks ?? {},
    timeScale: 0,
  });
  const url = await controller.listen();
  const account = controller.serviceAccount;
  if (!account) throw new Error('the simulated controller runs with auth here');
  return {
    controller,
    url,
    dir,
    settings: { url, serviceAccountName: account.name, serviceAccountToken: account.token },
    close: () => controller.close(),
  };
}

export interface OrchardRun extends Awaited<ReturnType<typeof runCommand>> {
  summary: { exitCode: number; scenarios: ScenarioSummary[] };
  console: string;
}

export async function runOnOrchard(
  fleet: OrchardFleet,
  scenarioId: string,
  options: Partial<Omit<RunOptions, 'scenario'>> & { onOutput?: (text: string) => void } = {},
): Promise<OrchardRun> {
  const scenario = findScenario(scenarioId);
  if (!scenario) throw new Error(`Unknown scenario ${scenarioId}`);
  const dir = mkdtempSync(join(fleet.dir, 'run-'));
  process.env.SXL_STATE_DIR = join(dir, 'runs');
  // The sample builds the sim backend would supply, passed as --from/--to are.
  const inputs = createBackend('sim', { seed: 1 }).withDefaultInputs(scenario.inputs, {});
  let console = '';
  const { onOutput, ...rest } = options;
  const outcome = await runCommand({
    scenario,
    backend: 'orchard',
    backendSettings: fleet.settings,
    inputs,
    artifactsDir: join(dir, 'artifacts'),
    argv: ['sysext-lab', 'run', scenarioId, '--backend', 'orchard'],
    write: (text) => {
      console += text;
      onOutput?.(text);
    },
    ...rest,
  });
  const summary = JSON.parse(readFileSync(join(outcome.runDir, 'summary.json'), 'utf8'));
  return { ...outcome, summary, console };
}
