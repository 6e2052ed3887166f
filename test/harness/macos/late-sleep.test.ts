// A guest that goes to sleep only after the harness stopped waiting for it: the connection drops
// while `pmset -g log` is read. That read proves nothing either way, so the cycle is a NoSleepError
// that says what came late, not a bare lost command (seen once in a loaded `make test`).
import test from 'ava';
import type { VmBackend } from '../../../harness/backends/vm-backend.ts';
import { CommandError, NoSleepError } from '../../../harness/errors.ts';
import { sleepAndWake } from '../../../harness/macos/sleep-wake.ts';
import type { ExecResult, GuestSession } from '../../../harness/ssh/guest-session.ts';

/** A guest whose every command works but `pmset -g log`, which loses the connection. */
function guestThatSleepsLate(commands: string[]): GuestSession {
  const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', exitCode: 0 }) as ExecResult;
  const guest = {
    target: 'sxl-late-1 (127.0.0.1:22)',
    isConnected: true,
    onClose: () => () => {},
    async exec(command: string | readonly string[]) {
      const text = typeof command === 'string' ? command : command.join(' ');
      commands.push(text);
      if (text.startsWith('date')) return ok('1764650000\n2025-12-02 05:13:20\n');
      if (text === 'sudo -n pmset sleepnow') return ok('Sleeping now...\n');
      if (text === 'pmset -g log') {
        throw new CommandError({
          command: text,
          exitCode: null,
          stdout: '',
          stderr: '',
          durationMs: 3,
          timedOut: false,
          target: guest.target,
        });
      }
      return ok('');
    },
  };
  return guest as unknown as GuestSession;
}

test('the connection lost while pmset -g log is read after the sleep timeout: NoSleepError that says the sleep came late', async (t) => {
  const commands: string[] = [];
  const error = await t.throwsAsync(
    sleepAndWake(
      {
        guest: guestThatSleepsLate(commands),
        backend: {} as VmBackend,
        vm: 'sxl-late-1',
        startOptions: { logFile: '/dev/null' },
      },
      { strategy: 'guest', sleepTimeoutMs: 50 },
    ),
    { instanceOf: NoSleepError },
  );
  t.regex(
    error.message,
    /^No sleep happened on sxl-late-1: not within 50 ms of `pmset sleepnow` \(the sleep timeout\): SSH dropped only later, while `pmset -g log` was read \(Exit code none \(connection lost\) from `pmset -g log`/,
  );
  t.deepEqual(commands.slice(-2), ['sudo -n pmset sleepnow', 'pmset -g log']);
});

test('a pmset -g log that times out is not taken for a late sleep', async (t) => {
  const guest = guestThatSleepsLate([]);
  const exec = guest.exec.bind(guest);
  guest.exec = (async (command: string | readonly string[], options) => {
    if (command.toString() === 'pmset,-g,log')
      throw new CommandError({
        command: 'pmset -g log',
        exitCode: null,
        stdout: '',
        stderr: '',
        durationMs: 60_000,
        timedOut: true,
        target: guest.target,
      });
    return exec(command, options);
  }) as GuestSession['exec'];
  await t.throwsAsync(
    sleepAndWake(
      { guest, backend: {} as VmBackend, vm: 'sxl-late-1', startOptions: { logFile: '/dev/null' } },
      { strategy: 'guest', sleepTimeoutMs: 50 },
    ),
    { instanceOf: CommandError, message: /^Timed out after 60000 ms from `pmset -g log`/ },
  );
});
