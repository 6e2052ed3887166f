// The simulated host's own faults (boot-fail, no-ip, vm-limit-leak, suspend-save-fails): their dice and the VM-limit
// leak, both kept under SXL_SIM_HOST_DIR because every tart call is a process of its own.
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { orchardVmName, type QuirkName, quirkFires, type SimSettings, vmStreamKey } from '../quirks.ts';
import { acquireWithin } from './run-lock.ts';
import { simHostDir } from './storage.ts';

export type HostQuirk = Extract<QuirkName, 'boot-fail' | 'no-ip' | 'vm-limit-leak' | 'suspend-save-fails'>;

/** Per VM name and quirk, how many times it was rolled: `{"sxl-x-3": {"boot-fail": 2}}`. */
export const QUIRK_COUNTERS_FILE = 'quirk-counters.json';
/**
 * One line per leaked slot of the two-VM limit (tart #1217). Deleting the file is the simulated
 * host's reboot, the only recovery.
 */
export const LEAKED_SLOTS_FILE = 'vz-leaked-slots';

const COUNTER_LOCK_TIMEOUT_MS = 10_000;

type Counters = Record<string, Partial<Record<HostQuirk, number>>>;

function readCounters(path: string): Counters {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Counters;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`Cannot read the sim host's quirk counters: ${path} is not valid JSON`, { cause: error });
  }
}

/**
 * Rolls a host quirk for one event of the VM `vmName` (a `tart run`, a power-off) and advances its
 * counter. The dice come from the seed, the VM's stream key and the counter; the counter is kept
 * per full VM name, so a new run (new run id, same ordinals) replays the same dice with the same seed.
 */
export async function rollHostQuirk(
  settings: SimSettings,
  vmName: string,
  quirk: HostQuirk,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  // A quirk that is off rolls nothing and writes nothing: the common case costs no I/O.
  if ((settings.quirks[quirk] ?? 0) <= 0) return false;
  const dir = simHostDir(env);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, QUIRK_COUNTERS_FILE);
  const lock = await acquireWithin(`${path}.lock`, COUNTER_LOCK_TIMEOUT_MS);
  try {
    const counters = readCounters(path);
    const perVm = counters[vmName] ?? {};
    const counter = perVm[quirk] ?? 0;
    perVm[quirk] = counter + 1;
    counters[vmName] = perVm;
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(counters, null, 2)}\n`);
    renameSync(tmp, path);
    return quirkFires(settings, vmStreamKey(vmName), quirk, counter);
  } finally {
    lock.release();
  }
}

/** The harness run a VM belongs to (sxl-<run-id>-<n>), or undefined for a VM made by hand. */
function runOfVm(name: string): string | undefined {
  return /^sxl-(.+)-\d+$/.exec(orchardVmName(name.trim()) ?? name.trim())?.[1];
}

export function leakedSlotsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(simHostDir(env), LEAKED_SLOTS_FILE);
}

/**
 * Slots of the VM limit that powered-off VMs never gave back since the simulated host's boot. With
 * `forVm`, only those leaked by VMs of the same harness run (sxl-<run-id>-<n>): a seeded quirk
 * belongs to its run, so a later run (even `make scenario`) does not inherit a leak it did not roll.
 * On a real host a leak stays until reboot whoever caused it; doctor reports that case.
 */
export function leakedSlots(env: NodeJS.ProcessEnv = process.env, forVm?: string): number {
  const run = forVm === undefined ? undefined : runOfVm(forVm);
  try {
    return readFileSync(leakedSlotsPath(env), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .filter((line) => run === undefined || runOfVm(line.split('\t')[1] ?? '') === run).length;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/** Records one leaked slot; an append of one short line, so concurrent writers cannot lose one. */
export function recordLeakedSlot(vmName: string, env: NodeJS.ProcessEnv = process.env): void {
  mkdirSync(simHostDir(env), { recursive: true });
  appendFileSync(leakedSlotsPath(env), `${new Date().toISOString()}\t${vmName}\n`);
}
