// The TART_HOME layout: vms/<name>/{config.json,disk.img,nvram.bin}, cache/OCIs/..., tmp/.
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function tartHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.TART_HOME || join(homedir(), '.tart');
}

/** The simulated host's own state (the DHCP leases file), outside TART_HOME on a real Mac. */
export function simHostDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SXL_SIM_HOST_DIR ?? join(tartHome(env), 'sim-host');
}

export function vmsDir(): string {
  return join(tartHome(), 'vms');
}

export function tmpDir(): string {
  const dir = join(tartHome(), 'tmp');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function vmDir(name: string): string {
  return join(vmsDir(), name);
}

export const VM_FILES = ['config.json', 'disk.img', 'nvram.bin'] as const;
export const SUSPEND_STATE_FILE = 'state.vzvmsave';

/** A folder is a VM only when all three files exist (tart's VMDirectory.initialized). */
export function isInitialized(dir: string): boolean {
  return VM_FILES.every((file) => existsSync(join(dir, file)));
}

export function localVmExists(name: string): boolean {
  return isInitialized(vmDir(name));
}

export function localVmNames(): string[] {
  if (!existsSync(vmsDir())) return [];
  return readdirSync(vmsDir())
    .filter((name) => !name.startsWith('.') && isInitialized(vmDir(name)))
    .sort();
}

export function isSuspended(dir: string): boolean {
  return existsSync(join(dir, SUSPEND_STATE_FILE));
}

/** Apparent size of the three VM files in bytes (tart's `Disk` column). */
export function apparentSizeBytes(dir: string): number {
  return VM_FILES.reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
}

/** Allocated size of the three VM files in bytes (tart's `Size`; the sparse disk counts what it holds). */
export function allocatedSizeBytes(dir: string): number {
  return VM_FILES.reduce((sum, file) => sum + statSync(join(dir, file)).blocks * 512, 0);
}

/** When the VM was last used: tart's `Accessed`, kept as the atime of config.json. */
export function accessedAt(dir: string): Date {
  return statSync(join(dir, 'config.json')).atime;
}

/** Marks the VM as used now; explicit, because Linux mounts rarely update atime on read. */
export function markAccessed(dir: string): void {
  const config = join(dir, 'config.json');
  utimesSync(config, new Date(), statSync(config).mtime);
}
