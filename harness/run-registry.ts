// Live runs leave a marker with their pid, so `sysext-lab reap` can tell the VMs of dead runs
// (sxl-<run-id>-<n>) from those of runs still going.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';

export function runRegistryDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.SXL_STATE_DIR ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'sysext-lab', 'runs')
  );
}

export const VM_NAME = /^sxl-(.+)-(\d+)$/;

export function vmName(runId: string, iteration: number): string {
  return `sxl-${runId}-${iteration}`;
}

export function registerRun(runId: string, dir = runRegistryDir()): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${runId}.json`);
  writeFileSync(
    file,
    JSON.stringify({ runId, pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }),
  );
  return () => rmSync(file, { force: true });
}

/** True when the run's marker exists and its process is alive on this host. */
export function isRunAlive(runId: string, dir = runRegistryDir()): boolean {
  try {
    const marker = JSON.parse(readFileSync(join(dir, `${runId}.json`), 'utf8')) as {
      pid: number;
      host: string;
    };
    if (marker.host !== hostname()) return true;
    process.kill(marker.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A new run id: sortable by start time, unique enough for one host. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}
