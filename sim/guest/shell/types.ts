// The contract between the shell interpreter and the command handlers.
import type { GuestFs, GuestUser } from '../guest-fs.ts';
import type { Machine } from '../machine.ts';

export interface CommandContext {
  /** argv[0] is the command name as typed. */
  argv: string[];
  /** The command's standard input, read to the end on demand (a pipe, a file or the channel). */
  stdin(): Promise<Buffer>;
  user: GuestUser;
  cwd: string;
  env: Record<string, string>;
  machine: Machine;
  /** Aborted when the SSH channel closes or the guest powers off. */
  signal: AbortSignal;
  /** File access with this user's permissions, relative paths against cwd. */
  fs: GuestFs;
  /** Runs `task` once the exit status of the whole command line has been sent (power commands). */
  afterReply(task: () => void): void;
  /**
   * Writes to stdout at once (log stream); present only when stdout goes straight to the channel
   * (last command of its pipeline, no redirection). Otherwise output is returned in the result.
   */
  stream?: (data: string | Buffer) => void;
}

export interface CommandResult {
  stdout?: string | Buffer;
  stderr?: string | Buffer;
  exitCode: number;
}

export type CommandHandler = (ctx: CommandContext) => Promise<CommandResult>;

export type CommandTable = Record<string, CommandHandler>;

export function ok(stdout: string | Buffer = ''): CommandResult {
  return { stdout, exitCode: 0 };
}

export function fail(stderr: string, exitCode = 1, stdout: string | Buffer = ''): CommandResult {
  return { stdout, stderr, exitCode };
}
