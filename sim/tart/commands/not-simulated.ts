// Subcommands of real tart that the sim does not model: whatever their arguments, they fail naming
// themselves, so a harness change that starts using one shows up at once instead of silently passing.
import type { TartCommand } from '../command.ts';
import { NotSimulatedError } from '../errors.ts';

export function notSimulated(name: string): TartCommand {
  return {
    spec: { name, abstract: 'not simulated', positionals: [], options: [] },
    ignoresArguments: true,
    async run(): Promise<number> {
      throw new NotSimulatedError(name);
    },
  };
}
