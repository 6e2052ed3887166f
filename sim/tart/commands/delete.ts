// tart delete <name> ...: local VMs or cached OCI images, stopping at the first failure.
import { lstatSync, readlinkSync, rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ParsedArgs } from '../args.ts';
import { type TartCommand, VM_NAME_HELP } from '../command.ts';
import { TartRuntimeError, vmDoesNotExist } from '../errors.ts';
import type { TartIo } from '../io.ts';
import { cacheDirFor, isCached, listOciEntries, parseRemoteName, type RemoteName } from '../oci-cache.ts';
import { unlinkQuietly } from '../run-lock.ts';
import { localVmExists, vmDir } from '../storage.ts';
import { vmState } from '../vm-state.ts';

function deleteOci(remote: RemoteName): void {
  const path = cacheDirFor(remote);
  if (lstatSync(path).isSymbolicLink()) {
    unlinkQuietly(path);
    return;
  }
  // Deleting a digest also drops the tags that point at it.
  const digest = basename(path);
  for (const entry of listOciEntries()) {
    const candidate = entry.dir;
    if (dirname(candidate) !== dirname(path)) continue;
    try {
      if (lstatSync(candidate).isSymbolicLink() && basename(readlinkSync(candidate)) === digest) {
        unlinkQuietly(candidate);
      }
    } catch {
      // Vanished meanwhile: nothing to remove.
    }
  }
  rmSync(path, { recursive: true, force: true });
}

export const deleteCommand: TartCommand = {
  spec: {
    name: 'delete',
    abstract: 'Delete a VM',
    positionals: [{ name: 'name', help: VM_NAME_HELP, repeating: true }],
    options: [],
  },
  async run(args: ParsedArgs, _io: TartIo): Promise<number> {
    for (const name of args.positionals) {
      const remote = parseRemoteName(name);
      if (remote) {
        if (!isCached(remote)) throw vmDoesNotExist(name);
        deleteOci(remote);
        continue;
      }
      if (!localVmExists(name)) throw vmDoesNotExist(name);
      const dir = vmDir(name);
      if (vmState(dir) === 'running') throw new TartRuntimeError(`VM "${name}" is running`);
      rmSync(dir, { recursive: true, force: true });
    }
    return 0;
  },
};
