// sshd's `shell` request (`ssh admin@ip` with no command): the login zsh reading command lines from
// the channel, one line at a time, with cd, export and $? kept from line to line. With a pty (the
// usual interactive login) it prompts as macOS's zsh does (`%n@%m %1~ %# `), echoes what is typed,
// handles backspace, ^C and ^D, and sends stderr and stdout as one terminal stream with CRLF line
// ends. Reconstructed, the simpler case: no line editing beyond backspace, no history, no job
// control, and a command that reads stdin gets none (as with </dev/null).
import { posix } from 'node:path';
import type { ServerChannel } from 'ssh2';
import type { Machine } from '../machine.ts';
import { newShellState, runLoginCommand } from '../shell/interpreter.ts';

export type ShellEnd = { exitCode: number } | { signal: string };

/** Lines typed (or piped) into the channel; `undefined` at EOF. */
class LineInput {
  readonly #lines: string[] = [];
  #partial = '';
  #ended = false;
  #wake: (() => void) | undefined;
  onEcho: (text: string) => void = () => {};

  constructor(channel: ServerChannel, pty: boolean) {
    channel.on('data', (data: Buffer) => {
      for (const ch of data.toString('utf8')) this.#take(ch, pty);
      this.#wake?.();
    });
    const end = () => {
      this.#ended = true;
      this.#wake?.();
    };
    channel.on('end', end);
    channel.on('close', end);
  }

  #take(ch: string, pty: boolean): void {
    if (!pty) {
      if (ch === '\n') {
        this.#lines.push(this.#partial);
        this.#partial = '';
      } else this.#partial += ch;
      return;
    }
    if (ch === '\r' || ch === '\n') {
      this.onEcho('\r\n');
      this.#lines.push(this.#partial);
      this.#partial = '';
    } else if (ch === '\x7f' || ch === '\b') {
      if (this.#partial.length === 0) return;
      this.#partial = this.#partial.slice(0, -1);
      this.onEcho('\b \b');
    } else if (ch === '\x03') {
      // ^C drops the line being typed; zsh shows it and prompts again (an empty line does that).
      this.onEcho('^C\r\n');
      this.#partial = '';
      this.#lines.push('');
    } else if (ch === '\x04') {
      if (this.#partial.length === 0) this.#ended = true;
    } else if (ch >= ' ' || ch === '\t') {
      this.#partial += ch;
      this.onEcho(ch);
    }
  }

  async next(): Promise<string | undefined> {
    while (this.#lines.length === 0 && !this.#ended) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    this.#wake = undefined;
    if (this.#lines.length > 0) return this.#lines.shift();
    // Without a pty a last line without its newline still runs, as zsh reading a script does.
    if (this.#partial) {
      const last = this.#partial;
      this.#partial = '';
      return last;
    }
    return undefined;
  }
}

/** Runs the login shell on `channel` until `exit`, EOF or a signal; how it ended. */
export async function runLoginShell(
  channel: ServerChannel,
  machine: Machine,
  options: { pty: boolean; signal: AbortSignal },
): Promise<ShellEnd> {
  const user = machine.loginUser;
  const state = newShellState(user);
  const send = (data: Buffer | string, stream: 'out' | 'err' = 'out') => {
    if (data.length === 0 || channel.writableEnded) return;
    try {
      if (options.pty) channel.write(Buffer.from(data).toString('utf8').replace(/\r?\n/g, '\r\n'));
      else if (stream === 'out') channel.write(data);
      else channel.stderr.write(data);
    } catch {
      // The client went away.
    }
  };
  const input = new LineInput(channel, options.pty);
  input.onEcho = (text) => send(text);
  const prompt = () => {
    if (!options.pty) return;
    const host = machine.state.hostname.split('.')[0] ?? machine.state.hostname;
    const dir = state.cwd === user.home ? '~' : state.cwd === '/' ? '/' : posix.basename(state.cwd);
    send(`${user.name}@${host} ${dir} ${user.uid === 0 ? '#' : '%'} `);
  };
  prompt();
  for (let line = await input.next(); line !== undefined; line = await input.next()) {
    if (options.signal.aborted) break;
    const after: (() => void)[] = [];
    const result = await runLoginCommand(
      {
        machine,
        user,
        signal: options.signal,
        state,
        io: {
          stdin: async () => Buffer.alloc(0),
          stdout: (d) => send(d),
          stderr: (d) => send(d, 'err'),
        },
        afterReply: (task) => after.push(task),
      },
      line,
    );
    for (const task of after) setImmediate(task);
    if ('signal' in result) return result;
    if (result.exited) return { exitCode: result.exitCode };
    prompt();
  }
  return { exitCode: state.status };
}
