// "Running" = a live `tart run` process holds the VM's run lock. Real tart holds an fcntl write lock
// on config.json, which the kernel drops when the process dies; Node has no fcntl, so the sim uses a
// pid file created atomically (link(2) fails if it exists). A lock whose pid is dead is stale and is
// ignored, which gives the same "dies with the process" meaning without a daemon. A recycled pid could
// make a stale lock look held; on a CI runner that is unlikely enough to accept.
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RUN_LOCK_FILE = '.sim-run.pid';
/** Written once `tart run` passed the VM-limit check: the VMs Virtualization.framework counts. */
export const ADMITTED_FILE = '.sim-vz.pid';

/** Written by a `tart run` whose VM never gets a DHCP lease (quirk no-ip); holds its pid. */
export const NO_IP_FILE = '.sim-no-ip.pid';

/** Files that belong to a live run and never travel with a copy of the VM (clone, rename). */
export const RUNTIME_FILES: readonly string[] = [RUN_LOCK_FILE, ADMITTED_FILE, NO_IP_FILE, 'control.sock'];

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid in `path` when that process is alive, else undefined (no file, or a stale one). */
export function livePid(path: string): number | undefined {
  const pid = readPidFile(path);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

/**
 * An exclusive pid-file lock held on behalf of `ownerPid` (this process unless the sim daemon holds
 * it for a client); `release()` is safe to repeat and only removes a file that still names the owner.
 */
export class PidFileLock {
  private released = false;
  private constructor(
    readonly path: string,
    readonly ownerPid: number,
  ) {}

  /** Takes the lock, or returns the pid of the live holder. Stale files are taken over. */
  static tryAcquire(path: string, ownerPid: number = process.pid): PidFileLock | { heldBy: number } {
    // Synchronous from here to the link: no other lock attempt of this process can interleave.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${ownerPid}\n`);
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          linkSync(tmp, path);
          return new PidFileLock(path, ownerPid);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const holder = readPidFile(path);
        if (holder !== undefined && isAlive(holder)) return { heldBy: holder };
        takeOverStale(path, holder);
      }
      throw new Error(`Could not take the lock ${path}: it changed hands five times in a row`);
    } finally {
      unlinkQuietly(tmp);
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (readPidFile(this.path) === this.ownerPid) unlinkQuietly(this.path);
  }
}

// Moves a stale lock aside; if a live process took the lock meanwhile, puts its file back.
function takeOverStale(path: string, stalePid: number | undefined): void {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  const moved = readPidFile(aside);
  if (moved !== stalePid && moved !== undefined && isAlive(moved)) {
    renameSync(aside, path);
    return;
  }
  unlinkQuietly(aside);
}

export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: cleanup is safe to repeat.
  }
}

export function runLockPath(vmDir: string): string {
  return join(vmDir, RUN_LOCK_FILE);
}

/** The pid of the `tart run` process that runs this VM, if any. */
export function runningPid(vmDir: string): number | undefined {
  return livePid(runLockPath(vmDir));
}

/** Waits for a short host-wide lock, polling; nothing waits forever. */
export async function acquireWithin(path: string, timeoutMs: number): Promise<PidFileLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = PidFileLock.tryAcquire(path);
    if (lock instanceof PidFileLock) return lock;
    if (Date.now() >= deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for the lock ${path}, held by pid ${lock.heldBy}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
