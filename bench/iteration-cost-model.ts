// What an iteration's CPU is made of, on the sim: `npx tsx bench/iteration-cost-model.ts [iterations]`.
// Three scenarios that do next to nothing are run with the same harness path as a real one: an empty
// iteration (clone, set --random-mac, run, ip, SSH connect and GUI session, stop, delete, reports),
// one that adds 80 guest commands (`true`, one SSH exec each), and one that adds 8 empty steps (each
// with its before and after snapshots). The differences give the cost of an exec and of a step, so
// that a real scenario's CPU (bench/iteration-time.ts) can be read as base + execs + steps + the rest.
import { defineScenario } from '../harness/scenario/define-scenario.ts';
import type { ScenarioContext } from '../harness/scenario/scenario-context.ts';
import { processCpu, simDaemonCpu } from './process-cpu.ts';
import { removeSim, simRun } from './sim-run.ts';

const iterations = Number(process.argv[2] ?? 40);
const EXECS = 80;
const STEPS = 8;

const shapes: Record<string, (t: ScenarioContext) => Promise<void>> = {
  empty: async () => {},
  [`${EXECS} execs`]: async (t: ScenarioContext) => {
    for (let i = 0; i < EXECS; i++) await t.guest.exec(['true'], { signal: t.signal });
  },
  [`${STEPS} steps`]: async (t: ScenarioContext) => {
    for (let i = 0; i < STEPS; i++) await t.step(`step ${i + 1}`, async () => {});
  },
};

/** CPU per iteration (ms) of one shape: harness, tart clients, sim daemon. */
async function measure(run: (t: ScenarioContext) => Promise<void>, repeat = iterations) {
  const scenario = defineScenario({
    id: 'cost-model',
    title: 'an iteration that does next to nothing',
    report: 'none: a benchmark',
    inputs: {},
    checks: ['nothing'],
    signature: { check: 'nothing', description: 'never fails', evidence: 'none' },
    run,
  });
  const before = processCpu();
  const outcome = await simRun(scenario, { repeat });
  const after = processCpu();
  // Read before the sim is removed: removing it retires its daemon.
  const daemon = simDaemonCpu(outcome.tartHome);
  removeSim(outcome.tartHome);
  if (!before || !after)
    throw new Error('bench/iteration-cost-model.ts reads CPU time from /proc: Linux only');
  const perIteration = (seconds: number) => (seconds * 1000) / repeat;
  const harness = perIteration(after.self - before.self);
  const clients = perIteration(after.children - before.children);
  const sim = perIteration(daemon);
  return { harness, clients, sim, total: harness + clients + sim };
}

// The first run in a process also pays for compiling the harness: a short one, not counted.
await measure(shapes.empty!, 5);
const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
for (const [name, run] of Object.entries(shapes)) results[name] = await measure(run);
const ms = (value: number) => `${value.toFixed(0)} ms`.padStart(7);
process.stdout.write(
  `CPU per iteration on the sim (time scale 0), ${iterations} iterations each, with setup:\n`,
);
for (const [name, r] of Object.entries(results)) {
  process.stdout.write(
    `  ${name.padEnd(10)} ${ms(r.total)}  (harness ${r.harness.toFixed(0)}, tart clients ${r.clients.toFixed(0)}, sim daemon ${r.sim.toFixed(0)})\n`,
  );
}
const empty = results.empty!.total;
process.stdout.write(
  `one SSH exec: ${((results[`${EXECS} execs`]!.total - empty) / EXECS).toFixed(2)} ms; one step with its snapshots: ${((results[`${STEPS} steps`]!.total - empty) / STEPS).toFixed(2)} ms\n`,
);
