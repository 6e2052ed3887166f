// tart rename <name> <new-name>: moves a local VM; both failures are validation errors (exit 64).
import { renameSync } from 'node:fs';
import type { ParsedArgs } from '../args.ts';
import { type TartCommand, VM_NAME_HELP } from '../command.ts';
import { TartValidationError } from '../errors.ts';
import type { TartIo } from '../io.ts';
import { localVmExists, vmDir } from '../storage.ts';

export const rename: TartCommand = {
  spec: {
    name: 'rename',
    abstract: 'Rename a local VM',
    positionals: [
      { name: 'name', help: VM_NAME_HELP },
      { name: 'new-name', help: 'new VM name' },
    ],
    options: [],
  },
  async run(args: ParsedArgs, _io: TartIo): Promise<number> {
    const [name, newName] = args.positionals as [string, string];
    if (!localVmExists(name))
      throw new TartValidationError(`failed to rename a non-existent local VM: ${name}`);
    if (localVmExists(newName)) {
      throw new TartValidationError(
        `failed to rename VM ${name}, target VM ${newName} already exists, delete it first!`,
      );
    }
    renameSync(vmDir(name), vmDir(newName));
    return 0;
  },
};
