// tart exec [-i] [-t] <name> <command> ...: runs the command in the running guest as the image's
// user (admin), through <vm>/control.sock, not the guest network; passes stdout and stderr through
// and exits with the command's code.
import { flag, type ParsedArgs } from '../args.ts';
import { type TartCommand, VM_NAME_HELP } from '../command.ts';
import { controlSocketPath } from '../control-socket.ts';
import { TartRuntimeError, TartValidationError, vmNotRunning } from '../errors.ts';
import { GuestAgentUnreachableError, GuestExecLostError, guestExec } from '../guest-exec.ts';
import type { TartIo } from '../io.ts';
import type { TartProcess } from '../tart-process.ts';
import { openLocalVm, vmState } from '../vm-state.ts';

const CONNECT_TIMEOUT_MS = 10_000;
// The reason observed in tart #1220 (tart-cli.md §1 exec), whatever the sim's own cause was.
const POOL_ERROR = "The operation couldn't be completed. (GRPC.GRPCConnectionPoolError error 1.)";

async function guestUser(dir: string): Promise<{ name: string; password: string }> {
  const { loadState } = await import('../../guest/state.ts');
  const { join } = await import('node:path');
  return (await loadState(join(dir, 'guest'))).user;
}

export const exec: TartCommand = {
  spec: {
    name: 'exec',
    abstract: 'Execute a command in a running VM',
    positionals: [
      { name: 'name', help: VM_NAME_HELP },
      { name: 'command', help: 'Command to execute', optional: true, repeating: true },
    ],
    options: [
      { long: 'interactive', short: 'i', help: 'Attach host\u2019s standard input to a remote command' },
      { long: 'tty', short: 't', help: 'Allocate a remote pseudo-terminal (PTY)' },
    ],
    passthrough: true,
  },
  async run(args: ParsedArgs, io: TartIo, proc: TartProcess): Promise<number> {
    const name = args.positionals[0]!;
    if (args.rest.length === 0) {
      // Reconstructed: swift-argument-parser's text for a missing required array argument.
      throw new TartValidationError(
        "Missing expected argument '<command> ...'",
        'Help:  <command>  Command to execute',
      );
    }
    const dir = openLocalVm(name);
    if (vmState(dir) !== 'running') throw vmNotRunning(name);
    const streams = io.streams?.() ?? {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
    };
    // -t is accepted; the sim's guest has no PTYs, so the command runs without one.
    const user = await guestUser(dir);
    const interrupt = new AbortController();
    const unsubscribe = proc.onSignal('SIGINT', () => interrupt.abort(new Error('SIGINT')));
    try {
      return await guestExec({
        socketPath: controlSocketPath(dir),
        username: user.name,
        password: user.password,
        argv: args.rest,
        stdin: flag(args, 'interactive') ? streams.stdin : undefined,
        stdout: streams.stdout,
        stderr: streams.stderr,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        signal: interrupt.signal,
      });
    } catch (error) {
      if (error instanceof GuestAgentUnreachableError) {
        throw new TartRuntimeError(
          `Failed to connect to the VM using its control socket: ${POOL_ERROR}, is the Tart Guest Agent running?`,
        );
      }
      // Reconstructed: tart reports a broken exec stream as a plain error, exit 1.
      if (error instanceof GuestExecLostError) throw new TartRuntimeError(`Error: ${error.message}`);
      throw error;
    } finally {
      unsubscribe();
    }
  },
};
