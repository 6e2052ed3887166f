// tart suspend <name>: SIGUSR1 to the `tart run` process, which does the work (see run.ts).
import type { ParsedArgs } from '../args.ts';
import { type TartCommand, VM_NAME_HELP } from '../command.ts';
import { TartRuntimeError } from '../errors.ts';
import type { TartIo } from '../io.ts';
import { runningPid } from '../run-lock.ts';
import { openLocalVm } from '../vm-state.ts';

export const suspend: TartCommand = {
  spec: {
    name: 'suspend',
    abstract: 'Suspend a VM',
    positionals: [{ name: 'name', help: VM_NAME_HELP }],
    options: [],
  },
  async run(args: ParsedArgs, _io: TartIo): Promise<number> {
    const name = args.positionals[0]!;
    const dir = openLocalVm(name);
    const pid = runningPid(dir);
    if (pid === undefined) {
      // tart's own bug: Suspend.swift passes an already formatted message into VMNotRunning.
      throw new TartRuntimeError(`VM "VM "${name}" is not running" is not running`, 2);
    }
    try {
      process.kill(pid, 'SIGUSR1');
    } catch {
      throw new TartRuntimeError(
        `Failed to suspend the VM: failed to send SIGUSR1 signal to the "tart run" process running VM "${name}"`,
      );
    }
    return 0;
  },
};
