// The host the VMs run on, as run.json and Feedback reports describe it.
import { arch, platform, release, type } from 'node:os';
import type { HostFacts } from './backend-profile.ts';
import { runHostCommand } from './host-command.ts';

export function hostFacts(): HostFacts {
  return { os: type(), release: release(), arch: arch() };
}

/** On a Mac also the macOS version and the model (e.g. Mac14,6), for Feedback reports. */
export async function macHostFacts(): Promise<HostFacts> {
  const facts = hostFacts();
  if (platform() !== 'darwin') return facts;
  const read = async (bin: string, args: string[]) =>
    (await runHostCommand(bin, args, { timeoutMs: 10_000, allowFailure: true })).stdout.trim() || undefined;
  const macos = await read('sw_vers', ['-productVersion']);
  const model = await read('sysctl', ['-n', 'hw.model']);
  return { ...facts, ...(macos ? { macos } : {}), ...(model ? { model } : {}) };
}
