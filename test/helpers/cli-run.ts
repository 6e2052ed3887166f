// Running the CLI as a user does, against a private sim, and reading what it left behind.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cli, fakeTart, type SimEnv } from './sim-env.ts';

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(sim: SimEnv, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('node', [cli, ...args], {
      env: { ...sim.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The run directory of the sim's only run. */
export function onlyRunDir(sim: SimEnv): string {
  const runs = readdirSync(sim.artifacts);
  if (runs.length !== 1) throw new Error(`expected one run directory, found ${runs.join(', ')}`);
  return join(sim.artifacts, runs[0]!);
}

/** VMs named as the harness names them that the fake tart still lists. */
export async function sxlVms(sim: SimEnv): Promise<string[]> {
  const { stdout } = await run(fakeTart, ['list', '--format', 'json'], { env: sim.env });
  return (JSON.parse(stdout) as { Name: string }[])
    .map((vm) => vm.Name)
    .filter((name) => name.startsWith('sxl-'));
}
