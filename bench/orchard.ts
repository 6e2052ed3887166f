// Wall time of N iterations on `--backend orchard` against the simulated Orchard controller: one
// worker driven one VM at a time (one slot) vs three workers with their two slots each (--parallel
// defaults to the fleet's six free slots), at a time scale where the sim's modelled boot, install and
// upgrade take as on a Mac, scaled down. Goal (issue 13): 3 workers x 2 slots take at most 0.25x the
// one-slot wall time. Usage: bench/orchard.ts [ITERATIONS] [SCALE]
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { createBackend } from '../harness/backends/registry.ts';
import { runCommand } from '../harness/run-command.ts';
import { findScenario } from '../scenarios/index.ts';
import { SimOrchardController } from '../sim/orchard/controller.ts';
import { benchRoot } from './sim-run.ts';

const iterations = Number(process.argv[2] ?? 40);
const timeScale = Number(process.argv[3] ?? process.env.SXL_SIM_TIME_SCALE ?? 0.05);
const goal = 0.25;

async function wallTime(workers: number, parallel: number | undefined): Promise<number> {
  const scenario = findScenario('upgrade-xpc');
  if (!scenario) throw new Error('upgrade-xpc is missing');
  const dir = mkdtempSync(join(benchRoot(), 'sxl-bench-orchard-'));
  process.env.SXL_STATE_DIR = join(dir, 'runs');
  const controller = new SimOrchardController({ workers, dir: join(dir, 'workers'), timeScale, seed: 1 });
  const url = await controller.listen();
  try {
    const account = controller.serviceAccount;
    const inputs = createBackend('sim', { seed: 1 }).withDefaultInputs(scenario.inputs, {});
    const started = performance.now();
    const run = await runCommand({
      scenario,
      backend: 'orchard',
      backendSettings: { url, serviceAccountName: account?.name, serviceAccountToken: account?.token },
      inputs,
      repeat: iterations,
      ...(parallel === undefined ? {} : { parallel }),
      // The sim backend's own default at this scale (modelled time is scaled).
      registrationDeadlineMs: Math.max(2_000, 60_000 * timeScale),
      artifactsDir: join(dir, 'artifacts'),
      argv: ['bench'],
      write: () => {},
    });
    const seconds = (performance.now() - started) / 1000;
    const passed = run.results.filter((r) => r.outcome === 'pass').length;
    // A run that did not do its iterations measures nothing.
    if (run.exitCode !== 0 || passed !== iterations) {
      throw new Error(
        `${workers} worker(s): exit ${run.exitCode}, ${passed} of ${iterations} passed (${run.runDir})`,
      );
    }
    process.stdout.write(
      `${workers} worker(s), --parallel ${parallel ?? `${workers * 2} (free slots)`}: ${iterations} iterations in ${seconds.toFixed(1)} s (${(seconds / iterations).toFixed(2)} s each)\n`,
    );
    return seconds;
  } finally {
    await controller.close();
  }
}

process.stdout.write(`bench orchard: upgrade-xpc, ${iterations} iterations, time scale ${timeScale}\n`);
const oneSlot = await wallTime(1, 1);
const fleet = await wallTime(3, undefined);
const ratio = fleet / oneSlot;
process.stdout.write(
  `3 workers x 2 slots / 1 slot = ${ratio.toFixed(2)}x (goal <= ${goal}x: ${ratio <= goal ? 'met' : 'missed'})\n`,
);
process.exitCode = ratio <= goal ? 0 : 1;
