// The shape every subcommand module exports.
import type { CommandSpec, ParsedArgs } from './args.ts';
import type { TartIo } from './io.ts';
import type { TartProcess } from './tart-process.ts';

export interface TartCommand {
  spec: CommandSpec;
  /** Skips argument parsing: the command fails the same way whatever it is given. */
  ignoresArguments?: boolean;
  /** Runs the command; resolves with the exit code, throws the tart error kinds of errors.ts. */
  run(args: ParsedArgs, io: TartIo, proc: TartProcess): Promise<number>;
}

export const VM_NAME_HELP = 'VM name';
