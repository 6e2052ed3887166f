// Runs a parsed command line: and-or lists, pipelines (the left side's stdout is the right side's
// stdin, buffered), redirections, a few builtins (cd, export, sudo) and the command registry.
import { posix } from 'node:path';
import { GuestFsError, ShellSyntaxError } from '../errors.ts';
import { type GuestUser, ROOT_USER } from '../guest-fs.ts';
import type { Machine } from '../machine.ts';
import { endApps } from '../model/app-launch.ts';
import { executableAt } from './executables.ts';
import { expandWord, parseScript, type SimpleCommand } from './parse.ts';
import { COMMANDS } from './registry.ts';
import type { CommandContext, CommandHandler, CommandResult } from './types.ts';

export interface ShellIo {
  /** The session's stdin (the SSH channel), read to its end on demand. */
  stdin(): Promise<Buffer>;
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
}

export interface ShellSession {
  machine: Machine;
  user: GuestUser;
  signal: AbortSignal;
  io: ShellIo;
  afterReply(task: () => void): void;
  /** An interactive shell's state, kept from line to line (cd, export, $?); else a fresh one. */
  state?: ShellState;
}

export interface ShellState {
  cwd: string;
  env: Record<string, string>;
  status: number;
  /** `$$` */
  pid: number;
}

const BIN_DIRS = ['/bin', '/usr/bin', '/sbin', '/usr/sbin', '/usr/libexec', '/usr/local/bin'];

export function loginEnv(user: GuestUser): Record<string, string> {
  return {
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    SHELL: '/bin/zsh',
    PATH: '/usr/bin:/bin:/usr/sbin:/sbin',
    TMPDIR: '/private/tmp/',
    LANG: 'en_US.UTF-8',
  };
}

const text = (data: string | Buffer | undefined): Buffer =>
  data === undefined ? Buffer.alloc(0) : Buffer.isBuffer(data) ? data : Buffer.from(data);

// Signal numbers as macOS numbers them (sys/signal.h); the names are those sshd's exit-signal uses.
const SIGNAL_NUMBERS: Record<string, number> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  ABRT: 6,
  FPE: 8,
  KILL: 9,
  SEGV: 11,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  USR1: 30,
  USR2: 31,
};

/** The shell itself died of a signal (`kill -9 $$`): sshd reports it as exit-signal. */
export class ShellKilledError extends Error {
  override name = 'ShellKilledError';
  constructor(readonly signalName: string) {
    super(`zsh killed by SIG${signalName}`);
  }
}

/** `exit [n]`: ends the command line with status n. */
class ShellExit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

// Reconstructed: the shell's pid ($$) is not tracked in the process table; a fresh number per shell.
let lastShellPid = 2000;

/** Runs one command line as `zsh -c` would; resolves to its exit status (128+n after a signal). */
export async function runCommandLine(session: ShellSession, line: string): Promise<number> {
  const result = await runLoginCommand(session, line);
  return 'signal' in result ? 128 + (SIGNAL_NUMBERS[result.signal] ?? 0) : result.exitCode;
}

/** Runs a command line as sshd's `zsh -c`: its exit status, or the signal the shell died of. */
export async function runLoginCommand(
  session: ShellSession,
  line: string,
): Promise<{ exitCode: number; exited?: true } | { signal: string }> {
  try {
    return { exitCode: await runScript(session, line) };
  } catch (error) {
    // `exited`: the line ran `exit`, which ends an interactive shell too.
    if (error instanceof ShellExit) return { exitCode: error.status, exited: true };
    if (error instanceof ShellKilledError) return { signal: error.signalName };
    throw error;
  }
}

/** A new shell's state: the login environment, in the home folder, with a pid of its own. */
export function newShellState(user: GuestUser): ShellState {
  lastShellPid += 1 + (lastShellPid % 5);
  return { cwd: user.home, env: loginEnv(user), status: 0, pid: lastShellPid };
}

async function runScript(session: ShellSession, line: string): Promise<number> {
  let script: ReturnType<typeof parseScript>;
  try {
    script = parseScript(line);
  } catch (error) {
    if (error instanceof ShellSyntaxError) {
      session.io.stderr(Buffer.from(`zsh:1: ${error.reason}\n`));
      return 1;
    }
    throw error;
  }
  const state = session.state ?? newShellState(session.user);
  for (const list of script) {
    if (session.signal.aborted) return 130;
    let status = await runPipeline(session, state, list.first);
    for (const { op, pipeline } of list.rest) {
      if ((op === '&&' && status === 0) || (op === '||' && status !== 0)) {
        status = await runPipeline(session, state, pipeline);
      }
    }
    state.status = status;
  }
  return state.status;
}

async function runPipeline(
  session: ShellSession,
  state: ShellState,
  pipeline: SimpleCommand[],
): Promise<number> {
  let input: () => Promise<Buffer> = () => session.io.stdin();
  let status = 0;
  for (let k = 0; k < pipeline.length; k++) {
    const last = k === pipeline.length - 1;
    const result = await runSimple(session, state, pipeline[k]!, input, last);
    session.io.stderr(result.stderr);
    if (last) session.io.stdout(result.stdout);
    else {
      const piped = result.stdout;
      input = async () => piped;
    }
    status = result.exitCode;
    state.env['?'] = String(status);
  }
  return status;
}

interface Routed {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

type Target =
  | { kind: 'out' }
  | { kind: 'err' }
  | { kind: 'file'; path: string; append: boolean; chunks: Buffer[] };

async function runSimple(
  session: ShellSession,
  state: ShellState,
  command: SimpleCommand,
  input: () => Promise<Buffer>,
  last = true,
): Promise<Routed> {
  const env = { ...state.env, PWD: state.cwd, '?': String(state.status), $: String(state.pid) };
  const argv = command.words.map((word) => expandWord(word, env));
  const fs = session.machine.fs(session.user, state.cwd);
  const targets: Record<number, Target> = { 1: { kind: 'out' }, 2: { kind: 'err' } };
  const files: Extract<Target, { kind: 'file' }>[] = [];
  let stdin = input;
  const zshError = (message: string): Routed => ({
    stdout: Buffer.alloc(0),
    stderr: Buffer.from(`zsh:1: ${message}\n`),
    exitCode: 1,
  });
  for (const redirection of command.redirections) {
    if (redirection.kind === 'dup') {
      targets[redirection.fd] = targets[redirection.to] ?? { kind: 'err' };
    } else if (redirection.kind === 'input') {
      const path = expandWord(redirection.source, env);
      try {
        const data = await fs.readFile(path);
        stdin = async () => data;
      } catch (error) {
        if (error instanceof GuestFsError) return zshError(`${error.reason.toLowerCase()}: ${path}`);
        throw error;
      }
    } else {
      const path = expandWord(redirection.target, env);
      const resolved = fs.resolve(path);
      if (resolved.guest === '/dev/null') {
        targets[redirection.fd] = { kind: 'file', path: '/dev/null', append: true, chunks: [] };
        continue;
      }
      try {
        // The shell opens (and truncates) the file before the command runs.
        if (!redirection.append) await fs.writeFile(path, '');
        else await fs.writeFile(path, '', { append: true });
      } catch (error) {
        if (error instanceof GuestFsError) return zshError(`${error.reason.toLowerCase()}: ${path}`);
        throw error;
      }
      const target: Target = { kind: 'file', path, append: true, chunks: [] };
      files.push(target);
      targets[redirection.fd] = target;
    }
  }

  const direct = last && targets[1]!.kind === 'out';
  const stream = direct ? (data: string | Buffer) => session.io.stdout(text(data)) : undefined;
  const result =
    argv.length === 0
      ? { exitCode: 0 }
      : await dispatch(session, state, argv, session.user, stdin, fs, stream);
  const routed: Routed = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: result.exitCode };
  const send = (fd: number, data: Buffer) => {
    if (data.length === 0) return;
    const target = targets[fd]!;
    if (target.kind === 'out') routed.stdout = Buffer.concat([routed.stdout, data]);
    else if (target.kind === 'err') routed.stderr = Buffer.concat([routed.stderr, data]);
    else target.chunks.push(data);
  };
  send(1, text(result.stdout));
  send(2, text(result.stderr));
  for (const file of files) {
    if (file.chunks.length > 0) await fs.writeFile(file.path, Buffer.concat(file.chunks), { append: true });
  }
  return routed;
}

async function dispatch(
  session: ShellSession,
  state: ShellState,
  argv: string[],
  user: GuestUser,
  stdin: () => Promise<Buffer>,
  fs: ReturnType<Machine['fs']>,
  stream?: (data: string | Buffer) => void,
): Promise<CommandResult> {
  const name = argv[0]!;
  if (name === 'cd') {
    const dir = argv[1] ?? user.home;
    const resolved = fs.resolve(dir);
    const info = await fs.stat(dir);
    if (!info) return { stderr: `cd: no such file or directory: ${dir}\n`, exitCode: 1 };
    if (!info.isDirectory()) return { stderr: `cd: not a directory: ${dir}\n`, exitCode: 1 };
    state.cwd = resolved.guest;
    return { exitCode: 0 };
  }
  if (name === 'export') {
    for (const assignment of argv.slice(1)) {
      const eq = assignment.indexOf('=');
      if (eq > 0) state.env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    }
    return { exitCode: 0 };
  }
  if (name === 'sudo') return sudo(session, state, argv, stdin, stream);
  if (name === 'exit') {
    // zsh evaluates the argument as arithmetic: a number, or a parameter name (unset is 0).
    const arg = argv[1];
    const status =
      arg === undefined
        ? state.status
        : /^-?\d+$/.test(arg)
          ? Number(arg)
          : /^[A-Za-z_]\w*$/.test(arg)
            ? Number(state.env[arg]) || 0
            : Number.NaN;
    // Reconstructed: zsh's text for a malformed expression.
    if (Number.isNaN(status)) return { stderr: `zsh:1: bad math expression: ${arg}\n`, exitCode: 1 };
    throw new ShellExit(status & 0xff);
  }
  if (name === 'kill') return kill(session, state, argv);
  let handlerName = name;
  let handler: CommandHandler | undefined;
  if (name.includes('/')) {
    const resolved = fs.resolve(name);
    if (BIN_DIRS.includes(posix.dirname(resolved.guest)) && COMMANDS[posix.basename(resolved.guest)]) {
      handlerName = posix.basename(resolved.guest);
    } else {
      // Any other path: a file of the guest, run if it is a stand-in the sim knows how to execute.
      const executed = await executableAt(fs, name);
      if ('error' in executed) return executed.error;
      handler = executed.handler;
    }
  }
  handler ??= Object.hasOwn(COMMANDS, handlerName) ? COMMANDS[handlerName] : undefined;
  if (!handler) return { stderr: `zsh:1: command not found: ${name}\n`, exitCode: 127 };
  const ctx: CommandContext = {
    argv,
    stdin,
    user,
    cwd: state.cwd,
    env: { ...state.env, PWD: state.cwd },
    machine: session.machine,
    signal: session.signal,
    fs: user === session.user ? fs : session.machine.fs(user, state.cwd),
    afterReply: session.afterReply,
  };
  if (stream) ctx.stream = stream;
  try {
    return await handler(ctx);
  } catch (error) {
    if (error instanceof GuestFsError) {
      return { stderr: `${posix.basename(name)}: ${error.guestPath}: ${error.reason}\n`, exitCode: 1 };
    }
    if (session.signal.aborted) return { exitCode: 130 };
    throw error;
  }
}

// sudo [-n] [-S] [-E] [-H] [-u USER] [--] CMD...: the images have passwordless sudo for admin.
async function sudo(
  session: ShellSession,
  state: ShellState,
  argv: string[],
  stdin: () => Promise<Buffer>,
  stream?: (data: string | Buffer) => void,
): Promise<CommandResult> {
  let k = 1;
  let target: GuestUser = ROOT_USER;
  while (k < argv.length && argv[k]!.startsWith('-')) {
    const flag = argv[k]!;
    k++;
    if (flag === '--') break;
    if (flag === '-u') {
      const name = argv[k++] ?? '';
      const user = session.machine.userNamed(name);
      if (!user)
        return {
          stderr: `sudo: unknown user ${name}\nsudo: error initializing audit plugin sudoers_audit\n`,
          exitCode: 1,
        };
      target = user;
    } else if (!/^-[nSEHkiA]+$/.test(flag)) {
      return {
        stderr: `sudo: invalid option -- ${flag.slice(1, 2)}\nusage: sudo -h | -K | -k | -V\n`,
        exitCode: 1,
      };
    }
  }
  const rest = argv.slice(k);
  if (rest.length === 0) {
    return {
      stderr:
        'usage: sudo -h | -K | -k | -V\nusage: sudo -v [-ABkNnS] [-g group] [-h host] [-p prompt] [-u user]\n',
      exitCode: 1,
    };
  }
  const fs = session.machine.fs(target, state.cwd);
  return dispatch(session, state, rest, target, stdin, fs, stream);
}

// kill [-s SIG | -SIG | -N] PID...: the shell's own pid ($$) ends the command line with that signal;
// an app's pid ends the app (as pkill does, whatever the signal); other pids are no process.
async function kill(session: ShellSession, state: ShellState, argv: string[]): Promise<CommandResult> {
  let signal = 'TERM';
  let k = 1;
  let spec: string | undefined;
  if (argv[1] === '-s') {
    spec = argv[2] ?? '';
    k = 3;
  } else if (argv[1]?.startsWith('-')) {
    spec = argv[1].slice(1);
    k = 2;
  }
  if (spec !== undefined) {
    const upper = spec.toUpperCase().replace(/^SIG/, '');
    const byNumber = Object.entries(SIGNAL_NUMBERS).find(([, n]) => String(n) === upper)?.[0];
    const name = /^\d+$/.test(upper) ? byNumber : upper in SIGNAL_NUMBERS ? upper : undefined;
    if (!name)
      return {
        stderr: `kill: unknown signal: SIG${spec}\nkill: type kill -l for a list of signals\n`,
        exitCode: 1,
      };
    signal = name;
  }
  const pids = argv.slice(k);
  if (pids.length === 0) return { stderr: 'kill: not enough arguments\n', exitCode: 1 };
  let stderr = '';
  for (const pid of pids) {
    if (pid === String(state.pid)) throw new ShellKilledError(signal);
    if (!/^\d+$/.test(pid)) stderr += `kill: illegal pid: ${pid}\n`;
    else if ((await endApps(session.machine, (app) => app.pid === Number(pid))) === 0)
      stderr += `kill: kill ${pid} failed: no such process\n`;
  }
  return { stderr, exitCode: stderr ? 1 : 0 };
}
