// tart clone <source-name> <new-name>: pulls a remote source first, overwrites <new-name> silently.
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedArgs } from '../args.ts';
import type { TartCommand } from '../command.ts';
import { TartValidationError } from '../errors.ts';
import type { TartIo } from '../io.ts';
import { cacheDirFor, isCached, parseRemoteName } from '../oci-cache.ts';
import { isSuspended, localVmNames, markAccessed, tmpDir, vmDir, vmsDir } from '../storage.ts';
import { killedByNow, ProcessKilledError, type TartProcess, watchProcess } from '../tart-process.ts';
import { randomMac, readVmConfig, writeVmConfig } from '../vm-config.ts';
import { copyVmFolder } from '../vm-copy.ts';
import { openLocalVm } from '../vm-state.ts';
import { pullRemote } from './pull.ts';

export const clone: TartCommand = {
  spec: {
    name: 'clone',
    abstract: 'Clone a VM',
    positionals: [
      { name: 'source-name', help: 'source VM name' },
      { name: 'new-name', help: 'new VM name' },
    ],
    options: [
      { long: 'insecure', help: 'connect to the OCI registry via insecure HTTP protocol' },
      {
        long: 'concurrency',
        value: 'concurrency',
        help: 'network concurrency to use when pulling a remote VM from the OCI-compatible registry',
        integer: { min: 1, max: 2 ** 32 - 1 },
      },
      {
        long: 'prune-limit',
        value: 'n',
        help: 'limit automatic pruning to n gigabytes',
        integer: { min: 0, max: 2 ** 32 - 1 },
      },
      { long: 'deduplicate', help: 'deduplicate the disk with the cached images' },
    ],
  },
  async run(args: ParsedArgs, io: TartIo, proc: TartProcess): Promise<number> {
    const [sourceName, newName] = args.positionals as [string, string];
    if (newName.includes('/')) throw new TartValidationError('<new-name> should be a local name');
    const remote = parseRemoteName(sourceName);
    let sourceDir: string;
    if (remote) {
      sourceDir = isCached(remote) ? cacheDirFor(remote) : await pullRemote(remote, io, proc);
    } else {
      sourceDir = openLocalVm(sourceName);
    }
    mkdirSync(vmsDir(), { recursive: true });
    const staging = mkdtempSync(join(tmpDir(), 'clone-'));
    // mkdtemp makes 0700 folders; tart's are ordinary 0755 ones.
    chmodSync(staging, 0o755);
    const watch = watchProcess(proc);
    try {
      copyVmFolder(sourceDir, staging);
      const config = readVmConfig(staging);
      // tart keeps a suspended VM's MAC: restoring the snapshot needs the same one.
      const sourceSuspended = isSuspended(sourceDir);
      const macTaken = localVmNames().some(
        (name) => name !== newName && readVmConfig(vmDir(name)).macAddress === config.macAddress,
      );
      if (macTaken && !sourceSuspended) {
        config.macAddress = randomMac();
        writeVmConfig(staging, config);
      }
      // Killed while copying: the temporary copy goes with the process (below), no VM appears.
      if (await killedByNow(watch)) throw new ProcessKilledError();
      const target = vmDir(newName);
      // tart replaces an existing <new-name> without a word (issues #822, #1120).
      rmSync(target, { recursive: true, force: true });
      renameSync(staging, target);
      markAccessed(target);
    } finally {
      watch.dispose();
      rmSync(staging, { recursive: true, force: true });
    }
    return 0;
  },
};
