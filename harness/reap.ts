// `sysext-lab reap`: delete the sxl-<run-id>-<n> VMs whose run is no longer alive (a run killed
// with SIGKILL, a crashed CI agent), and finish the files of such runs (junit.xml, run.json,
// summary.json say "interrupted") and remove their markers. VMs of live runs, and those kept on
// purpose with --keep-vm, are kept unless `all` is set.
import { rmSync } from 'node:fs';
import type { VmBackend } from './backends/vm-backend.ts';
import { finishDeadRun } from './report/finish-dead-run.ts';
import {
  areVmsKept,
  isMarkerAlive,
  isRunAlive,
  readRunMarkers,
  runRegistryDir,
  VM_NAME,
} from './run-registry.ts';

export interface ReapOptions {
  /** Also the VMs of live runs and those kept with --keep-vm. @default false */
  all?: boolean;
  signal?: AbortSignal;
  /** @default runRegistryDir() */
  registryDir?: string;
}

export interface ReapResult {
  deleted: string[];
  /** VMs of runs still alive. */
  kept: string[];
  /** VMs kept on purpose (--keep-vm). */
  keptOnPurpose: string[];
  /** Run directories of dead runs whose files were finished as interrupted. */
  finished: string[];
  problems: string[];
}

export async function reapVms(backend: VmBackend, options: ReapOptions = {}): Promise<ReapResult> {
  const registryDir = options.registryDir ?? runRegistryDir();
  const result: ReapResult = { deleted: [], kept: [], keptOnPurpose: [], finished: [], problems: [] };
  for (const vm of await backend.list({ signal: options.signal })) {
    const match = VM_NAME.exec(vm.name);
    if (!match) continue;
    if (!options.all && isRunAlive(match[1]!, registryDir)) {
      result.kept.push(vm.name);
      continue;
    }
    if (!options.all && areVmsKept(match[1]!, registryDir)) {
      result.keptOnPurpose.push(vm.name);
      continue;
    }
    try {
      if (vm.state !== 'stopped') await backend.stop(vm.name, { signal: options.signal });
      await backend.delete(vm.name, { signal: options.signal });
      result.deleted.push(vm.name);
    } catch (error) {
      result.problems.push(`Could not delete ${vm.name}: ${(error as Error).message}`);
    }
  }
  finishDeadRuns(registryDir, options.all === true, result);
  return result;
}

/**
 * Dead runs' files are finished and their markers removed; kept-VM markers go with `all`. A new run
 * calls it too (with `all` false), so a killed run's files are finished even if nobody runs `reap`.
 */
export function finishDeadRuns(
  registryDir: string,
  all: boolean,
  result: Pick<ReapResult, 'finished' | 'problems'> = { finished: [], problems: [] },
): Pick<ReapResult, 'finished' | 'problems'> {
  for (const marker of readRunMarkers(registryDir)) {
    if (marker.keptVms) {
      if (all) rmSync(marker.file, { force: true });
      continue;
    }
    if (isMarkerAlive(marker)) continue;
    try {
      if (marker.runDir) {
        const finished = finishDeadRun(
          marker.runDir,
          `the harness (pid ${marker.pid} on ${marker.host}) ended without finishing the run; finished by reap or the next run`,
        );
        if (finished) result.finished.push(finished.runDir);
      }
      rmSync(marker.file, { force: true });
    } catch (error) {
      result.problems.push(
        `Could not finish run ${marker.runId} in ${marker.runDir}: ${(error as Error).message}`,
      );
    }
  }
  return result;
}
