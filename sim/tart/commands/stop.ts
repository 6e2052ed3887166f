// tart stop <name> [-t|--timeout S]: SIGINT to the `tart run` process (a hard stop), SIGKILL after
// the timeout; a suspended VM loses its snapshot instead.
import { join } from 'node:path';
import { intOption, type ParsedArgs } from '../args.ts';
import { type TartCommand, VM_NAME_HELP } from '../command.ts';
import { TartRuntimeError, vmNotRunning } from '../errors.ts';
import type { TartIo } from '../io.ts';
import { ADMITTED_FILE, isAlive, runLockPath, runningPid, unlinkQuietly } from '../run-lock.ts';
import { isSuspended, SUSPEND_STATE_FILE } from '../storage.ts';
import { openLocalVm } from '../vm-state.ts';

const POLL_MS = 100;
// After SIGKILL the kernel needs a moment; bounded so that stop never hangs.
const KILL_GRACE_MS = 5_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const stop: TartCommand = {
  spec: {
    name: 'stop',
    abstract: 'Stop a VM',
    positionals: [{ name: 'name', help: VM_NAME_HELP }],
    options: [
      {
        long: 'timeout',
        short: 't',
        value: 'timeout',
        help: 'Seconds to wait for graceful termination before forcefully terminating the VM',
        integer: { min: 0, max: 2 ** 53 },
      },
    ],
  },
  async run(args: ParsedArgs, _io: TartIo): Promise<number> {
    const name = args.positionals[0]!;
    const timeoutSeconds = intOption(args, 'timeout') ?? 30;
    const dir = openLocalVm(name);
    const pid = runningPid(dir);
    if (pid === undefined) {
      if (isSuspended(dir)) {
        unlinkQuietly(join(dir, SUSPEND_STATE_FILE));
        return 0;
      }
      throw vmNotRunning(name);
    }
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // The run process ended between the check and the signal: nothing left to stop.
      return 0;
    }
    const deadline = Date.now() + timeoutSeconds * 1000;
    // A VM usually stops within milliseconds of the signal: look again soon, then every POLL_MS.
    for (let pauseMs = 5; Date.now() < deadline; pauseMs = Math.min(pauseMs * 2, POLL_MS)) {
      if (runningPid(dir) === undefined) return 0;
      await sleep(pauseMs);
    }
    if (runningPid(dir) === undefined) return 0;
    try {
      process.kill(pid, 'SIGKILL');
    } catch (error) {
      const errno = Math.abs((error as NodeJS.ErrnoException).errno ?? 0);
      throw new TartRuntimeError(`failed to forcefully terminate the VM "${name}": ${errno}`);
    }
    const killDeadline = Date.now() + KILL_GRACE_MS;
    while (isAlive(pid) && Date.now() < killDeadline) await sleep(POLL_MS / 10);
    // A killed run cannot clean up; its lock is stale now, remove it so nothing trips over it.
    unlinkQuietly(runLockPath(dir));
    unlinkQuietly(join(dir, ADMITTED_FILE));
    return 0;
  },
};
