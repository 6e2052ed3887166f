// Live runs leave a marker with their pid, so `sysext-lab reap` can tell the VMs of dead runs
// (sxl-<run-id>-<n>) from those of runs still going.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** A run's marker: who runs it, where its files go, and whether its VMs are kept on purpose. */
export interface RunMarker {
  runId: string;
  pid: number;
  host: string;
  startedAt?: string;
  /** The run directory, so that `reap` can finish the files of a run that was killed. */
  runDir?: string;
  /** Set when the run ended with --keep-vm: its VMs stay until `reap --all`. */
  keptVms?: boolean;
}

export interface RegisterRunOptions {
  /** @default runRegistryDir() */
  dir?: string;
  runDir?: string;
}

/**
 * Writes the run's marker; the returned function ends the run: it removes the marker, or, when the
 * VMs are kept (--keep-vm), leaves it marked `keptVms` so that `reap` spares them.
 */
export function registerRun(
  runId: string,
  options: RegisterRunOptions = {},
): (end?: { keptVms?: boolean }) => void {
  const dir = options.dir ?? runRegistryDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${runId}.json`);
  const marker: RunMarker = {
    runId,
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    ...(options.runDir ? { runDir: options.runDir } : {}),
  };
  writeFileSync(file, JSON.stringify(marker));
  return (end = {}) => {
    try {
      if (end.keptVms) writeFileSync(file, JSON.stringify({ ...marker, keptVms: true }));
      else rmSync(file, { force: true });
    } catch {
      // A full or read-only disk must not stop the teardown; `reap` removes a stale marker.
    }
  };
}

/** Every marker in the registry, unreadable ones skipped. */
export function readRunMarkers(dir = runRegistryDir()): (RunMarker & { file: string })[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const markers: (RunMarker & { file: string })[] = [];
  for (const name of names) {
    try {
      const marker = JSON.parse(readFileSync(join(dir, name), 'utf8')) as RunMarker;
      if (typeof marker.runId === 'string') markers.push({ ...marker, file: join(dir, name) });
    } catch {
      // Half written or foreign: not ours to judge.
    }
  }
  return markers;
}

/** True when the marker's process is alive on this host (another host's runs count as alive). */
export function isMarkerAlive(marker: Pick<RunMarker, 'pid' | 'host'>): boolean {
  if (marker.host !== hostname()) return true;
  try {
    process.kill(marker.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the run's marker exists and its process is alive on this host. */
export function isRunAlive(runId: string, dir = runRegistryDir()): boolean {
  try {
    const marker = JSON.parse(readFileSync(join(dir, `${runId}.json`), 'utf8')) as RunMarker;
    return !marker.keptVms && isMarkerAlive(marker);
  } catch {
    return false;
  }
}

/** True when the run ended with --keep-vm: its VMs are kept on purpose. */
export function areVmsKept(runId: string, dir = runRegistryDir()): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, `${runId}.json`), 'utf8')) as RunMarker).keptVms === true;
  } catch {
    return false;
  }
}

/** A new run id: sortable by start time, unique enough for one host. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}
