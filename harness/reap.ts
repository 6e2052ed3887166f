// `sysext-lab reap`: delete the sxl-<run-id>-<n> VMs whose run is no longer alive (a run killed
// with SIGKILL, a crashed CI agent). VMs of live runs are kept unless `all` is set.
import type { VmBackend } from './backends/vm-backend.ts';
import { isRunAlive, VM_NAME } from './run-registry.ts';

export async function reapVms(
  backend: VmBackend,
  options: { all?: boolean; signal?: AbortSignal } = {},
): Promise<{ deleted: string[]; kept: string[]; problems: string[] }> {
  const deleted: string[] = [];
  const kept: string[] = [];
  const problems: string[] = [];
  for (const vm of await backend.list({ signal: options.signal })) {
    const match = VM_NAME.exec(vm.name);
    if (!match) continue;
    if (!options.all && isRunAlive(match[1]!)) {
      kept.push(vm.name);
      continue;
    }
    try {
      if (vm.state !== 'stopped') await backend.stop(vm.name, { signal: options.signal });
      await backend.delete(vm.name, { signal: options.signal });
      deleted.push(vm.name);
    } catch (error) {
      problems.push(`Could not delete ${vm.name}: ${(error as Error).message}`);
    }
  }
  return { deleted, kept, problems };
}
