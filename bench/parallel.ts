// Wall time of N sim iterations one at a time vs on two VMs at once (--parallel 2), at a time scale
// where the sim's modelled boot, install and upgrade take as on a Mac, scaled down. Goal (issue 13):
// --parallel 2 takes at most 0.6x the serial wall time. Usage: bench/parallel.ts [ITERATIONS] [SCALE]
import { simRun } from './sim-run.ts';

const iterations = Number(process.argv[2] ?? 40);
const timeScale = Number(process.argv[3] ?? process.env.SXL_SIM_TIME_SCALE ?? 0.05);
const goal = 0.6;

async function wallTime(parallel: number): Promise<number> {
  const started = performance.now();
  const run = await simRun('upgrade-xpc', { repeat: iterations, parallel, timeScale, seed: 1 });
  const seconds = (performance.now() - started) / 1000;
  const passed = run.results.filter((r) => r.outcome === 'pass').length;
  // A run that did not do its iterations measures nothing.
  if (run.exitCode !== 0 || passed !== iterations) {
    throw new Error(
      `--parallel ${parallel}: exit ${run.exitCode}, ${passed} of ${iterations} passed (${run.runDir})`,
    );
  }
  process.stdout.write(
    `--parallel ${parallel}: ${iterations} iterations in ${seconds.toFixed(1)} s (${(seconds / iterations).toFixed(2)} s each)\n`,
  );
  return seconds;
}

process.stdout.write(`bench parallel: upgrade-xpc, ${iterations} iterations, time scale ${timeScale}\n`);
const serial = await wallTime(1);
const parallel = await wallTime(2);
const ratio = parallel / serial;
process.stdout.write(
  `--parallel 2 / --parallel 1 = ${ratio.toFixed(2)}x (goal <= ${goal}x: ${ratio <= goal ? 'met' : 'missed'})\n`,
);
process.exitCode = ratio <= goal ? 0 : 1;
