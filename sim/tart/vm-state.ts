// A local VM's state as tart derives it: running (a live run lock), else suspended (a snapshot
// file), else stopped.
import { vmDoesNotExist } from './errors.ts';
import { runningPid } from './run-lock.ts';
import { isSuspended, localVmExists, vmDir } from './storage.ts';

export type VmState = 'running' | 'suspended' | 'stopped';

export function vmState(dir: string): VmState {
  if (runningPid(dir) !== undefined) return 'running';
  return isSuspended(dir) ? 'suspended' : 'stopped';
}

/** The folder of an existing local VM; throws tart's `does not exist` (exit 2) otherwise. */
export function openLocalVm(name: string): string {
  if (!localVmExists(name)) throw vmDoesNotExist(name);
  return vmDir(name);
}
