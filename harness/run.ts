// The run API (`import { runCommand } from 'sysext-lab/run'`): run a scenario from a program, as
// `sysext-lab run` does, and read what it reports. Scenarios themselves use the scenario API (index.ts).
export { type RunOptions, type RunOutcome, type RunRequest, runCommand, runDefaults } from './run-command.ts';
export type { IterationResult, Outcome, RunEvent } from './scenario/events.ts';
export { loadScenario } from './scenario/load-scenario.ts';
